package io.tessera.serving;

import io.tessera.core.ServableId;

/**
 * A call's hold on one version: while it is open the version is not torn down. Close it exactly
 * once; {@code release} runs on that close.
 */
public record ResolvedVersion(ServableId id, ServedModel model, Runnable release) implements AutoCloseable {
  @Override
  public void close() {
    release.run();
  }
}
