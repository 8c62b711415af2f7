package io.tessera.sources;

import io.tessera.proto.serving.config.FileSystemStoragePathSourceConfig.ServableVersionPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;

/**
 * The pre-flight check of a config reload: would {@link FileSystemStoragePathSource} find at least
 * one loadable version of a servable right now? Loadable = a version (chosen by the version
 * policy) that holds saved_model.pb or saved_model.pbtxt, or a local base path that is itself a
 * SavedModel (served as one version, as the source does). With a {@code specific} policy every
 * version asked for must be there. Reads the storage only; no state, no locks.
 */
public final class LoadableVersions {
  private LoadableVersions() {}

  /** As {@link #problem(FileSystemStoragePathSource.WatchedServable, ModelStorages)} for local paths. */
  public static Optional<String> problem(FileSystemStoragePathSource.WatchedServable servable) {
    return problem(servable, ModelStorages.LOCAL_ONLY);
  }

  /** Why {@code servable} has no loadable version now, or empty if it has one. */
  public static Optional<String> problem(FileSystemStoragePathSource.WatchedServable servable,
      ModelStorages storages) {
    String prefix = "model " + servable.name() + ": base path " + servable.basePath();
    ModelStorage storage;
    try {
      storage = storages.open(servable.basePath());
    } catch (RuntimeException e) {
      return Optional.of(prefix + ": " + e.getMessage());
    }
    if (storage instanceof LocalStorage) {
      Path base = Path.of(servable.basePath());
      if (!Files.exists(base)) {
        return Optional.of(prefix + " does not exist");
      }
      if (!Files.isDirectory(base)) {
        return Optional.of(prefix + " is not a directory");
      }
      if (LocalStorage.isSavedModel(base)) {
        return Optional.empty();
      }
    }
    NavigableMap<Long, StoredVersion> found;
    try {
      found = storage.list().versions();
    } catch (IOException | RuntimeException e) {
      return Optional.of(prefix + " cannot be listed: " + FileSystemStoragePathSource.describe(e));
    }
    ServableVersionPolicy policy = servable.policy();
    Set<Long> missing = VersionSelection.missingSpecific(policy, found.keySet());
    if (!missing.isEmpty()) {
      return Optional.of(prefix + " lacks the versions " + missing + " that its version policy asks for");
    }
    NavigableMap<Long, StoredVersion> aspired = VersionSelection.select(policy, found);
    if (aspired.isEmpty()) {
      return Optional.of(prefix + " has no numeric version directory (expected <base_path>/<version>/saved_model.pb)");
    }
    for (StoredVersion version : aspired.values()) {
      // Object-store listings hold complete versions only; a local directory may lack the model.
      if (version instanceof LocalStorage.LocalVersion local && !LocalStorage.isSavedModel(local.dir())) {
        return Optional.of(prefix + ": version directory " + local.dir()
            + " holds no saved_model.pb or saved_model.pbtxt");
      }
    }
    return Optional.empty();
  }
}
