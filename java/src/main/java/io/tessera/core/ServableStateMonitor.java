package io.tessera.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The latest reported state of every version seen (TF Serving's ServableStateMonitor). Read by
 * GetModelStatus from any thread; written by the manager. Like TF Serving, END entries stay, so a
 * failed or unloaded version remains visible with its status.
 */
public final class ServableStateMonitor {
  private final Map<String, NavigableMap<Long, VersionStatus>> states = new ConcurrentHashMap<>();
  private final Object changed = new Object();

  void update(String name, VersionStatus status) {
    states.computeIfAbsent(name, n -> new ConcurrentSkipListMap<>()).put(status.version(), status);
    synchronized (changed) {
      changed.notifyAll();
    }
  }

  /** Versions of {@code name}, newest first; empty if the model was never seen. */
  public List<VersionStatus> versions(String name) {
    NavigableMap<Long, VersionStatus> versions = states.get(name);
    return versions == null ? List.of() : new ArrayList<>(versions.descendingMap().values());
  }

  public Set<String> modelNames() {
    return Set.copyOf(states.keySet());
  }

  /** Waits until no version of {@code name} is in START or LOADING (and at least one exists). */
  boolean awaitSettled(String name, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (changed) {
      while (!settled(name)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        changed.wait(Math.max(1, left / 1_000_000));
      }
      return true;
    }
  }

  private boolean settled(String name) {
    List<VersionStatus> versions = versions(name);
    return !versions.isEmpty()
        && versions.stream().noneMatch(v -> v.state() == ServableState.START || v.state() == ServableState.LOADING);
  }
}
