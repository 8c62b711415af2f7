package io.tessera.serving;

import io.tessera.config.ModelConfigs.ModelEntry;
import io.tessera.core.AspiredVersionsManager;
import io.tessera.core.ServableState;
import io.tessera.sources.FileSystemStoragePathSource.WatchedServable;
import io.tessera.sources.LoadableVersions;
import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What a model that is not AVAILABLE yet waits for, in words an operator can act on: its base
 * path's problem on disk (missing, not a directory, no numeric version, a version its policy names
 * is absent), else the versions still loading. Used by the periodic "still waiting" line and the
 * --startup_timeout_seconds failure. Reads the file system and the manager's states; no state.
 */
final class StartupWait {
  private StartupWait() {}

  static String reason(AspiredVersionsManager<ServedModel> manager, ModelEntry entry) {
    return LoadableVersions.problem(new WatchedServable(entry.name(), entry.basePath(), entry.policy()))
        .orElseGet(() -> {
          List<String> loading = manager.monitor().versions(entry.name()).stream()
              .map(v -> "version " + v.version() + " " + v.state()).toList();
          return loading.isEmpty() ? "a loadable version is on disk; waiting for the next poll of "
              + entry.basePath() : String.join(", ", loading);
        });
  }

  /** DEADLINE_EXCEEDED naming each of {@code entries} without an AVAILABLE version, and why. */
  static ServingException timedOut(AspiredVersionsManager<ServedModel> manager, List<ModelEntry> entries,
      Duration timeout) {
    List<String> waiting = new ArrayList<>();
    for (ModelEntry entry : entries) {
      if (manager.monitor().versions(entry.name()).stream().noneMatch(v -> v.state() == ServableState.AVAILABLE)) {
        waiting.add(entry.name() + " (" + reason(manager, entry) + ")");
      }
    }
    return new ServingException(StatusCode.DEADLINE_EXCEEDED, "Models did not become AVAILABLE within "
        + "--startup_timeout_seconds=" + timeout.toSeconds() + ": " + String.join("; ", waiting));
  }
}
