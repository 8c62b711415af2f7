package io.tessera.v2;

import java.time.Duration;

/**
 * What both halves need from the server's flags.
 *
 * @param restTimeoutMs --rest_api_timeout_in_ms for REST inference (0 = none)
 * @param repositoryTimeout how long a repository load or unload may take
 *     (--reload_config_max_seconds; zero = unbounded)
 * @param repositoryChanges --enable_reload_config_rpc: false answers load and unload UNIMPLEMENTED
 */
public record V2Settings(long restTimeoutMs, Duration repositoryTimeout, boolean repositoryChanges) {
  /** The bound a repository change runs under. */
  public Duration changeTimeout() {
    return repositoryTimeout.isZero() || repositoryTimeout.isNegative() ? Duration.ofDays(1) : repositoryTimeout;
  }
}
