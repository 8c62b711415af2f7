package io.tessera.server;

import io.tessera.status.ServingException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Operator-facing settings beyond model serving: metrics, TLS, health, gRPC transport knobs,
 * start-up and shutdown timing. Null paths and empty strings mean "off".
 *
 * @param monitoringConfigFile --monitoring_config_file (Prometheus on the REST port)
 * @param sslConfigFile --ssl_config_file: TLS on gRPC only (TF Serving's SSLConfig; REST stays plain HTTP)
 * @param grpcHealth --enable_grpc_healthcheck_service
 * @param grpcChannelArguments --grpc_channel_arguments ("key=value,key=value")
 * @param grpcSocketPath --grpc_socket_path (gRPC also on this UNIX socket)
 * @param metricsAddress --metrics_address with --enable_metrics (the deployment guide's separate
 *     Prometheus listener); null when off
 * @param inlineRunMaxMicros --inline_run_max_micros: small REST requests and gRPC calls to routes
 *     whose recent requests took at most this long run on the I/O thread; 0 = always on workers
 * @param restSslConfigFile --rest_api_ssl_config_file: TLS on the REST port (opt-in, Tessera's own)
 * @param metricsSslConfigFile --metrics_ssl_config_file: TLS on the --enable_metrics listener
 * @param metricsPath --metrics_path: the Prometheus page also on the REST port at this path
 *     (without a monitoring config file; KServe scrapes /metrics); null when off
 * @param startupTimeout --startup_timeout_seconds: start-up fails if the models are not AVAILABLE
 *     by then; zero = wait as long as it takes (TF Serving)
 * @param shutdownDelay --shutdown_delay_seconds: after SIGTERM, readiness answers 503 for this
 *     long while listeners keep serving, then the drain begins
 * @param grpcReflection --enable_grpc_reflection: grpc.reflection.v1 (and v1alpha) on the gRPC port
 * @param repositoryControl --enable_model_repository_control: the v2 repository's load and unload
 */
public record OperationsOptions(Path monitoringConfigFile, Path sslConfigFile, boolean grpcHealth,
    String grpcChannelArguments, String grpcSocketPath, String metricsAddress, long inlineRunMaxMicros,
    Path restSslConfigFile, Path metricsSslConfigFile, String metricsPath, Duration startupTimeout,
    Duration shutdownDelay, boolean grpcReflection, boolean repositoryControl) {
  public static final long DEFAULT_INLINE_RUN_MAX_MICROS = 200;
  public static final OperationsOptions NONE = new OperationsOptions(null, null, false, "", "", null,
      DEFAULT_INLINE_RUN_MAX_MICROS, null, null, null, Duration.ZERO, Duration.ZERO, false, false);

  static OperationsOptions fromFlags(FlagParser.Result f) {
    String metricsPath = f.get("metrics_path");
    if (!metricsPath.isEmpty() && !metricsPath.startsWith("/")) {
      throw ServingException.invalidArgument("--metrics_path must start with '/'; got " + metricsPath);
    }
    return new OperationsOptions(
        path(f.get("monitoring_config_file")),
        path(f.get("ssl_config_file")),
        f.getBool("enable_grpc_healthcheck_service"),
        f.get("grpc_channel_arguments"),
        f.get("grpc_socket_path"),
        f.getBool("enable_metrics") ? f.get("metrics_address") : null,
        Math.max(0, f.getLong("inline_run_max_micros")),
        path(f.get("rest_api_ssl_config_file")),
        path(f.get("metrics_ssl_config_file")),
        metricsPath.isEmpty() ? null : metricsPath,
        nonNegativeSeconds(f, "startup_timeout_seconds"),
        nonNegativeSeconds(f, "shutdown_delay_seconds"),
        f.getBool("enable_grpc_reflection"),
        f.getBool("enable_model_repository_control"));
  }

  private static Duration nonNegativeSeconds(FlagParser.Result f, String flag) {
    int seconds = f.getInt(flag);
    if (seconds < 0) {
      throw ServingException.invalidArgument("--" + flag + " must be >= 0; got " + seconds);
    }
    return Duration.ofSeconds(seconds);
  }

  private static Path path(String value) {
    return value.isEmpty() ? null : Path.of(value).toAbsolutePath().normalize();
  }
}
