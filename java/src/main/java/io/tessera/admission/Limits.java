package io.tessera.admission;

import java.time.Duration;

/**
 * Limits that keep a server exposed to untrusted clients up: the in-flight memory budget, REST
 * connection and timeout settings, gRPC transport settings, and the config-reload RPC's bounds.
 * Each is a flag (README "Limits and hardening"); a zero Duration means "off".
 *
 * @param maxInflightRequestBytes --max_inflight_request_bytes resolved (0 on the command line
 *     means {@link MemoryBudget#autoLimit()})
 * @param restMaxConnections --rest_api_max_connections: further connections get a 503 and close
 * @param restIdleTimeout --rest_api_idle_timeout_seconds: a connection with no request in
 *     progress and no bytes for this long is closed
 * @param restRequestReadTimeout --rest_api_request_read_timeout_seconds: a request must arrive
 *     completely (headers and body) within this long of its first byte
 * @param restWriteTimeout --rest_api_write_timeout_seconds: a response the client does not read
 *     within this long closes the connection
 * @param grpcMaxMetadataBytes --grpc_max_metadata_bytes (inbound headers per call)
 * @param grpcMaxConcurrentCallsPerConnection --grpc_max_concurrent_calls_per_connection
 * @param grpcKeepaliveTime --grpc_keepalive_time_seconds (server pings an idle connection)
 * @param grpcKeepaliveTimeout --grpc_keepalive_timeout_seconds (no ping ack: close)
 * @param grpcMaxConnectionIdle --grpc_max_connection_idle_seconds
 * @param grpcMaxConnectionAge --grpc_max_connection_age_seconds
 * @param grpcMaxConnectionAgeGrace --grpc_max_connection_age_grace_seconds
 * @param reloadConfigRpc --enable_reload_config_rpc: false answers HandleReloadConfigRequest
 *     with UNIMPLEMENTED
 * @param reloadConfigMaxTime --reload_config_max_seconds: a reload RPC (or a config-file poll's
 *     reload) returns after at most this long (or the client's deadline, if sooner); zero = no
 *     server bound
 */
public record Limits(
    long maxInflightRequestBytes,
    int restMaxConnections,
    Duration restIdleTimeout,
    Duration restRequestReadTimeout,
    Duration restWriteTimeout,
    int grpcMaxMetadataBytes,
    int grpcMaxConcurrentCallsPerConnection,
    Duration grpcKeepaliveTime,
    Duration grpcKeepaliveTimeout,
    Duration grpcMaxConnectionIdle,
    Duration grpcMaxConnectionAge,
    Duration grpcMaxConnectionAgeGrace,
    boolean reloadConfigRpc,
    Duration reloadConfigMaxTime) {

  public static final int DEFAULT_REST_MAX_CONNECTIONS = 4096;
  public static final int DEFAULT_REST_IDLE_TIMEOUT_SECONDS = 60;
  /** Lets a 256 MiB body (the default body limit) arrive at ≈ 2.2 MB/s. */
  public static final int DEFAULT_REST_REQUEST_READ_TIMEOUT_SECONDS = 120;
  public static final int DEFAULT_REST_WRITE_TIMEOUT_SECONDS = 60;
  public static final int DEFAULT_GRPC_MAX_METADATA_BYTES = 64 << 10;
  public static final int DEFAULT_GRPC_MAX_CONCURRENT_CALLS_PER_CONNECTION = 128;
  public static final int DEFAULT_GRPC_KEEPALIVE_TIME_SECONDS = 7200;
  public static final int DEFAULT_GRPC_KEEPALIVE_TIMEOUT_SECONDS = 20;
  public static final int DEFAULT_RELOAD_CONFIG_MAX_SECONDS = 300;

  /** The defaults, with an automatic memory budget (tests and embedders). */
  public static Limits defaults() {
    return new Limits(MemoryBudget.autoLimit(), DEFAULT_REST_MAX_CONNECTIONS,
        Duration.ofSeconds(DEFAULT_REST_IDLE_TIMEOUT_SECONDS),
        Duration.ofSeconds(DEFAULT_REST_REQUEST_READ_TIMEOUT_SECONDS),
        Duration.ofSeconds(DEFAULT_REST_WRITE_TIMEOUT_SECONDS), DEFAULT_GRPC_MAX_METADATA_BYTES,
        DEFAULT_GRPC_MAX_CONCURRENT_CALLS_PER_CONNECTION,
        Duration.ofSeconds(DEFAULT_GRPC_KEEPALIVE_TIME_SECONDS),
        Duration.ofSeconds(DEFAULT_GRPC_KEEPALIVE_TIMEOUT_SECONDS), Duration.ZERO, Duration.ZERO,
        Duration.ZERO, true, Duration.ofSeconds(DEFAULT_RELOAD_CONFIG_MAX_SECONDS));
  }
}
