package io.tessera.serving;

import io.tessera.core.VersionStatus;
import java.util.List;

/**
 * How the pipeline resolves a call's model: {@link ServerCore} over the manager in the server, a
 * single fixed version during warmup, fakes in tests. Thread-safe and non-blocking.
 */
public interface ModelVersions {
  /**
   * A ref-counted hold on the version {@code ref} names; close it when the call is done.
   *
   * @throws io.tessera.status.ServingException NOT_FOUND / INVALID_ARGUMENT in TF Serving's words
   */
  ResolvedVersion acquire(ModelRef ref);

  /** All known versions of a model, newest first, or just {@code version} (null = all). */
  List<VersionStatus> status(String name, Long version);
}
