package io.tessera.sources;

import io.tessera.core.Target;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Polls each servable's base path for numeric version directories and emits the aspired set
 * (TF Serving's FileSystemStoragePathSource). Names that parse as a non-negative integer are
 * versions ("1", "0001"); anything else is ignored. The newest version is aspired (policy
 * latest{1}). A missing base path changes nothing; a base path with no versions emits an empty
 * set, which unloads the model.
 */
public final class FileSystemStoragePathSource implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(FileSystemStoragePathSource.class.getName());

  /** One servable to watch. */
  public record WatchedServable(String name, Path basePath) {}

  private final List<WatchedServable> servables;
  private final Duration pollWait;
  private final Target<Path> target;
  private final Map<String, NavigableMap<Long, Path>> lastEmitted = new HashMap<>();
  private ScheduledExecutorService poller;

  /** @param pollWait period between polls; zero or negative polls once only */
  public FileSystemStoragePathSource(List<WatchedServable> servables, Duration pollWait, Target<Path> target) {
    this.servables = List.copyOf(servables);
    this.pollWait = pollWait;
    this.target = target;
  }

  /** Polls once now (synchronously), then periodically if a poll period was given. */
  public void start() {
    pollOnce();
    if (!pollWait.isZero() && !pollWait.isNegative()) {
      poller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tessera-fs-source");
        t.setDaemon(true);
        return t;
      });
      poller.scheduleWithFixedDelay(this::pollOnce, pollWait.toMillis(), pollWait.toMillis(),
          TimeUnit.MILLISECONDS);
    }
  }

  synchronized void pollOnce() {
    for (WatchedServable servable : servables) {
      NavigableMap<Long, Path> found;
      try {
        found = listVersions(servable.basePath());
      } catch (IOException e) {
        LOG.warning("Cannot list base path " + servable.basePath() + " of servable "
            + servable.name() + ": " + e);
        continue;
      }
      NavigableMap<Long, Path> aspired = new TreeMap<>();
      if (!found.isEmpty()) {
        aspired.put(found.lastKey(), found.lastEntry().getValue());
      }
      if (!aspired.equals(lastEmitted.get(servable.name()))) {
        if (aspired.isEmpty()) {
          LOG.warning("No versions of servable " + servable.name() + " found under base path "
              + servable.basePath() + ". Did you forget to name your leaf directory as a number (eg. '/1/')?");
        }
        lastEmitted.put(servable.name(), aspired);
        target.setAspiredVersions(servable.name(), aspired);
      }
    }
  }

  /** Numeric child directories of {@code basePath}; throws if the base path cannot be read. */
  static NavigableMap<Long, Path> listVersions(Path basePath) throws IOException {
    NavigableMap<Long, Path> versions = new TreeMap<>();
    try (DirectoryStream<Path> children = Files.newDirectoryStream(basePath)) {
      for (Path child : children) {
        Long version = parseVersion(child.getFileName().toString());
        if (version != null && Files.isDirectory(child)) {
          versions.putIfAbsent(version, child);
        }
      }
    }
    return versions;
  }

  static Long parseVersion(String name) {
    if (name.isEmpty() || name.length() > 19 || !name.chars().allMatch(Character::isDigit)) {
      return null;
    }
    return Long.parseLong(name);
  }

  @Override
  public void close() {
    if (poller != null) {
      poller.shutdownNow();
    }
  }
}
