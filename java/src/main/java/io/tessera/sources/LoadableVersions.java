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
 * one loadable version of a servable right now? Loadable = a numeric version directory (chosen by
 * the version policy) that holds saved_model.pb or saved_model.pbtxt, or a base path that is
 * itself a SavedModel (served as one version, as the source does). With a {@code specific}
 * policy every version asked for must be there. Reads the file system only; no state, no locks.
 */
public final class LoadableVersions {
  private LoadableVersions() {}

  /** Why {@code servable} has no loadable version now, or empty if it has one. */
  public static Optional<String> problem(FileSystemStoragePathSource.WatchedServable servable) {
    Path base = servable.basePath();
    String prefix = "model " + servable.name() + ": base path " + base;
    if (!Files.exists(base)) {
      return Optional.of(prefix + " does not exist");
    }
    if (!Files.isDirectory(base)) {
      return Optional.of(prefix + " is not a directory");
    }
    if (FileSystemStoragePathSource.isSavedModel(base)) {
      return Optional.empty();
    }
    NavigableMap<Long, Path> found;
    try {
      found = FileSystemStoragePathSource.listVersions(base);
    } catch (IOException e) {
      return Optional.of(prefix + " cannot be listed: " + e);
    }
    ServableVersionPolicy policy = servable.policy();
    Set<Long> missing = VersionSelection.missingSpecific(policy, found.keySet());
    if (!missing.isEmpty()) {
      return Optional.of(prefix + " lacks the versions " + missing + " that its version policy asks for");
    }
    NavigableMap<Long, Path> aspired = VersionSelection.select(policy, found);
    if (aspired.isEmpty()) {
      return Optional.of(prefix + " has no numeric version directory (expected <base_path>/<version>/saved_model.pb)");
    }
    for (var version : aspired.entrySet()) {
      if (!FileSystemStoragePathSource.isSavedModel(version.getValue())) {
        return Optional.of(prefix + ": version directory " + version.getValue()
            + " holds no saved_model.pb or saved_model.pbtxt");
      }
    }
    return Optional.empty();
  }
}
