package io.tessera.core;

import io.tessera.status.StatusCode;

/** What GetModelStatus reports for one version: its state and, after a failure, the error. */
public record VersionStatus(long version, ServableState state, StatusCode errorCode, String errorMessage) {
  public static VersionStatus of(long version, ServableState state) {
    return new VersionStatus(version, state, StatusCode.OK, "");
  }
}
