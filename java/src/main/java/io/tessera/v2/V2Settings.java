package io.tessera.v2;

import java.time.Duration;

/**
 * What both halves need from the server's flags.
 *
 * @param restTimeoutMs --rest_api_timeout_in_ms for REST inference (0 = none)
 * @param repositoryTimeout how long a repository load or unload may take
 *     (--reload_config_max_seconds; zero = unbounded)
 * @param repositoryControl --enable_model_repository_control (off by default, as Triton's
 *     --model-control-mode=none: any client could otherwise unload models or load any path)
 * @param reloadRpc --enable_reload_config_rpc: load and unload are config reloads, so they need it too
 */
public record V2Settings(long restTimeoutMs, Duration repositoryTimeout, boolean repositoryControl,
    boolean reloadRpc) {
  /** The bound a repository change runs under. */
  public Duration changeTimeout() {
    return repositoryTimeout.isZero() || repositoryTimeout.isNegative() ? Duration.ofDays(1) : repositoryTimeout;
  }
}
