package io.tessera.grpc;

import io.grpc.netty.NettyServerBuilder;
import io.tessera.status.ServingException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * TF Serving's {@code --grpc_channel_arguments}: a comma-separated {@code key=value} list of gRPC
 * core channel arguments. The ones with a grpc-java equivalent are applied; others are logged and
 * ignored (as a gRPC core server ignores arguments it does not know). A malformed entry is an error.
 */
final class GrpcChannelArguments {
  private static final Logger LOG = Logger.getLogger(GrpcChannelArguments.class.getName());

  private GrpcChannelArguments() {}

  static void apply(String arguments, NettyServerBuilder builder) {
    if (arguments == null || arguments.isBlank()) {
      return;
    }
    for (String entry : arguments.split(",")) {
      int eq = entry.indexOf('=');
      if (eq <= 0) {
        throw ServingException.invalidArgument("Malformed --grpc_channel_arguments entry '" + entry
            + "': expected key=value");
      }
      String key = entry.substring(0, eq).trim();
      String value = entry.substring(eq + 1).trim();
      switch (key) {
        case "grpc.max_receive_message_length" -> builder.maxInboundMessageSize(intValue(key, value));
        case "grpc.max_metadata_size" -> builder.maxInboundMetadataSize(intValue(key, value));
        case "grpc.max_concurrent_streams" -> builder.maxConcurrentCallsPerConnection(intValue(key, value));
        case "grpc.keepalive_time_ms" -> builder.keepAliveTime(intValue(key, value), TimeUnit.MILLISECONDS);
        case "grpc.keepalive_timeout_ms" -> builder.keepAliveTimeout(intValue(key, value), TimeUnit.MILLISECONDS);
        case "grpc.max_connection_idle_ms" -> builder.maxConnectionIdle(intValue(key, value), TimeUnit.MILLISECONDS);
        case "grpc.max_connection_age_ms" -> builder.maxConnectionAge(intValue(key, value), TimeUnit.MILLISECONDS);
        case "grpc.max_connection_age_grace_ms" ->
            builder.maxConnectionAgeGrace(intValue(key, value), TimeUnit.MILLISECONDS);
        case "grpc.http2.min_ping_interval_without_data_ms" ->
            builder.permitKeepAliveTime(intValue(key, value), TimeUnit.MILLISECONDS);
        case "grpc.keepalive_permit_without_calls" -> builder.permitKeepAliveWithoutCalls(intValue(key, value) != 0);
        default -> LOG.warning("gRPC channel argument " + key + " has no grpc-java equivalent; ignored");
      }
    }
  }

  private static int intValue(String key, String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw ServingException.invalidArgument("gRPC channel argument " + key + " needs an integer, got '" + value + "'");
    }
  }
}
