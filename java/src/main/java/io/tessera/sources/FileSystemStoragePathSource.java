package io.tessera.sources;

import io.tessera.core.Target;
import io.tessera.proto.serving.config.FileSystemStoragePathSourceConfig.ServableVersionPolicy;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Polls each servable's base path for numeric version directories and emits the aspired set
 * chosen by the servable's version policy (TF Serving's FileSystemStoragePathSource). Names that
 * parse as a non-negative integer are versions ("1", "0001"); anything else is ignored, and so is
 * an empty numeric directory (a copy that has not started yet; copy versions in atomically). A
 * missing base path changes nothing; a base path with no versions emits an empty set, which
 * unloads the model. Problems are logged once per change, not on every poll.
 *
 * <p>Threading: polls and {@link #updateServables} are serialized on this object's lock.
 */
public final class FileSystemStoragePathSource implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(FileSystemStoragePathSource.class.getName());

  /** One servable to watch; {@code policy} selects which versions on disk are aspired. */
  public record WatchedServable(String name, Path basePath, ServableVersionPolicy policy) {
    public WatchedServable(String name, Path basePath) {
      this(name, basePath, ServableVersionPolicy.getDefaultInstance());
    }
  }

  private final Duration pollWait;
  private final Target<Path> target;
  private Map<String, WatchedServable> servables = new LinkedHashMap<>();
  private final Map<String, NavigableMap<Long, Path>> lastEmitted = new HashMap<>();
  private final Map<String, String> lastProblem = new HashMap<>();
  private ScheduledExecutorService poller;

  /** @param pollWait period between polls; zero or negative polls once only (and on updates) */
  public FileSystemStoragePathSource(List<WatchedServable> servables, Duration pollWait, Target<Path> target) {
    this.pollWait = pollWait;
    this.target = target;
    servables.forEach(s -> this.servables.put(s.name(), s));
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

  /**
   * Replaces the watched set (config reload): servables no longer listed get an empty aspired
   * set (unload); the rest are polled now, synchronously, so their aspired versions have been
   * emitted when this returns.
   */
  public synchronized void updateServables(List<WatchedServable> next) {
    Map<String, WatchedServable> nextMap = new LinkedHashMap<>();
    next.forEach(s -> nextMap.put(s.name(), s));
    for (String name : servables.keySet()) {
      if (!nextMap.containsKey(name)) {
        LOG.info("Servable " + name + " is no longer configured; unloading all its versions");
        lastEmitted.remove(name);
        lastProblem.remove(name);
        target.setAspiredVersions(name, Map.of());
      }
    }
    for (WatchedServable s : nextMap.values()) {
      WatchedServable old = servables.get(s.name());
      if (old != null && !old.equals(s)) {
        lastProblem.remove(s.name());
      }
    }
    servables = nextMap;
    pollOnce();
  }

  synchronized void pollOnce() {
    for (WatchedServable servable : servables.values()) {
      NavigableMap<Long, Path> found;
      try {
        found = listVersions(servable.basePath());
      } catch (IOException e) {
        report(servable, "Cannot list base path " + servable.basePath() + " of servable "
            + servable.name() + ": " + e);
        continue;
      }
      if (found.isEmpty() && isSavedModel(servable.basePath())) {
        // The deployment guide points base_path at the version directory itself; TF Serving then
        // waits forever. Serve it as that version, and say once what the layout should be.
        long version = versionOfMisplacedBasePath(servable.basePath());
        found = new TreeMap<>(java.util.Map.of(version, servable.basePath()));
        report(servable, "Base path " + servable.basePath() + " of servable " + servable.name()
            + " is itself a SavedModel, not a directory of numbered versions; serving it as version "
            + version + ". TF Serving expects <base_path>/<version>/saved_model.pb: point --model_base_path "
            + "(or base_path) at " + servable.basePath().getParent() + " to get version polling.");
      }
      NavigableMap<Long, Path> aspired = VersionSelection.select(servable.policy(), found);
      Set<Long> missing = VersionSelection.missingSpecific(servable.policy(), found.keySet());
      if (found.isEmpty()) {
        report(servable, "No versions of servable " + servable.name() + " found under base path "
            + servable.basePath() + ". Did you forget to name your leaf directory as a number (eg. '/1/')?");
      } else if (!missing.isEmpty()) {
        report(servable, "Versions " + missing + " of servable " + servable.name()
            + " were requested by the version policy but not found under " + servable.basePath());
      } else if (!isSavedModel(servable.basePath())) {
        lastProblem.remove(servable.name());
      }
      if (!aspired.equals(lastEmitted.get(servable.name()))) {
        LOG.info("Aspired versions of servable " + servable.name() + ": " + aspired.keySet());
        lastEmitted.put(servable.name(), aspired);
        target.setAspiredVersions(servable.name(), aspired);
      }
    }
  }

  private void report(WatchedServable servable, String problem) {
    if (!Objects.equals(lastProblem.put(servable.name(), problem), problem)) {
      LOG.warning(problem);
    }
  }

  /** Populated numeric child directories of {@code basePath}; throws if it cannot be read. */
  static NavigableMap<Long, Path> listVersions(Path basePath) throws IOException {
    NavigableMap<Long, Path> versions = new TreeMap<>();
    try (DirectoryStream<Path> children = Files.newDirectoryStream(basePath)) {
      for (Path child : children) {
        Long version = parseVersion(child.getFileName().toString());
        if (version != null && Files.isDirectory(child) && !isEmptyDirectory(child)) {
          versions.putIfAbsent(version, child);
        }
      }
    }
    return versions;
  }

  /** True if {@code dir} directly holds a SavedModel (saved_model.pb or .pbtxt). */
  static boolean isSavedModel(Path dir) {
    return Files.isRegularFile(dir.resolve("saved_model.pb")) || Files.isRegularFile(dir.resolve("saved_model.pbtxt"));
  }

  /** The version a misplaced base path is served as: its own numeric name, else 1. */
  static long versionOfMisplacedBasePath(Path dir) {
    Long version = dir.getFileName() == null ? null : parseVersion(dir.getFileName().toString());
    return version == null ? 1 : version;
  }

  private static boolean isEmptyDirectory(Path dir) {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      return !entries.iterator().hasNext();
    } catch (IOException e) {
      return true;  // vanished or unreadable: not a usable version (yet)
    }
  }

  static Long parseVersion(String name) {
    if (name.isEmpty() || name.length() > 18 || !name.chars().allMatch(Character::isDigit)) {
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
