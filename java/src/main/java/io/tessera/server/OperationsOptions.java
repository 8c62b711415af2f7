package io.tessera.server;

import java.nio.file.Path;

/**
 * Operator-facing settings beyond model serving: metrics, TLS, health, gRPC transport knobs.
 * Null paths and empty strings mean "off".
 *
 * @param monitoringConfigFile --monitoring_config_file (Prometheus on the REST port)
 * @param sslConfigFile --ssl_config_file: TLS on gRPC only (TF Serving's SSLConfig; REST stays plain HTTP)
 * @param grpcHealth --enable_grpc_healthcheck_service
 * @param grpcChannelArguments --grpc_channel_arguments ("key=value,key=value")
 * @param grpcSocketPath --grpc_socket_path (gRPC also on this UNIX socket)
 * @param metricsAddress --metrics_address with --enable_metrics (the deployment guide's separate
 *     Prometheus listener, path /metrics); null when off
 * @param inlineRunMaxMicros --inline_run_max_micros: small REST requests and gRPC calls to routes
 *     whose recent requests took at most this long run on the I/O thread; 0 = always on workers
 * @param restSslConfigFile --rest_api_ssl_config_file: TLS on the REST port (opt-in, Tessera's own)
 * @param metricsSslConfigFile --metrics_ssl_config_file: TLS on the --enable_metrics listener
 * @param repositoryControl --enable_model_repository_control: the v2 repository's load and unload
 */
public record OperationsOptions(Path monitoringConfigFile, Path sslConfigFile, boolean grpcHealth,
    String grpcChannelArguments, String grpcSocketPath, String metricsAddress, long inlineRunMaxMicros,
    Path restSslConfigFile, Path metricsSslConfigFile, boolean repositoryControl) {
  public static final long DEFAULT_INLINE_RUN_MAX_MICROS = 200;
  public static final OperationsOptions NONE =
      new OperationsOptions(null, null, false, "", "", null, DEFAULT_INLINE_RUN_MAX_MICROS, null, null, false);

  static OperationsOptions fromFlags(FlagParser.Result f) {
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
        f.getBool("enable_model_repository_control"));
  }

  private static Path path(String value) {
    return value.isEmpty() ? null : Path.of(value).toAbsolutePath().normalize();
  }
}
