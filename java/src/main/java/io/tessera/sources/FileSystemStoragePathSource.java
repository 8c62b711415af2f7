package io.tessera.sources;

import io.tessera.core.Target;
import io.tessera.proto.serving.config.FileSystemStoragePathSourceConfig.ServableVersionPolicy;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Polls each servable's base path for numeric versions and emits the aspired set chosen by the
 * servable's version policy (TF Serving's FileSystemStoragePathSource). The base path is a local
 * directory or an object-store URI; {@link ModelStorages} picks the {@link ModelStorage} that
 * lists it, and what is emitted is a {@link StoredVersion} the loader fetches. Only complete
 * versions are listed (an empty local directory or a half-uploaded object-store version is not
 * one yet). A base path that cannot be listed changes nothing; one with no versions emits an empty
 * set, which unloads the model. Problems are logged once per change, not on every poll.
 *
 * <p>Threading: polls and {@link #updateServables} are serialized on this object's lock.
 */
public final class FileSystemStoragePathSource implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(FileSystemStoragePathSource.class.getName());

  /** One servable to watch; {@code policy} selects which versions found are aspired. */
  public record WatchedServable(String name, String basePath, ServableVersionPolicy policy) {
    public WatchedServable(String name, Path basePath, ServableVersionPolicy policy) {
      this(name, basePath.toString(), policy);
    }

    public WatchedServable(String name, Path basePath) {
      this(name, basePath.toString(), ServableVersionPolicy.getDefaultInstance());
    }
  }

  private final Duration pollWait;
  private final Target<StoredVersion> target;
  private final ModelStorages storages;
  private Map<String, WatchedServable> servables = new LinkedHashMap<>();
  private final Map<String, ModelStorage> storageOf = new HashMap<>();
  private final Map<String, NavigableMap<Long, StoredVersion>> lastEmitted = new HashMap<>();
  private final Map<String, String> lastProblem = new HashMap<>();
  private ScheduledExecutorService poller;

  /** Local base paths only (tests). */
  public FileSystemStoragePathSource(List<WatchedServable> servables, Duration pollWait,
      Target<StoredVersion> target) {
    this(servables, pollWait, target, ModelStorages.LOCAL_ONLY);
  }

  /** @param pollWait period between polls; zero or negative polls once only (and on updates) */
  public FileSystemStoragePathSource(List<WatchedServable> servables, Duration pollWait,
      Target<StoredVersion> target, ModelStorages storages) {
    this.pollWait = pollWait;
    this.target = target;
    this.storages = storages;
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
   *
   * @throws io.tessera.status.ServingException INVALID_ARGUMENT for a base path whose scheme is
   *     not served (nothing is changed then)
   */
  public synchronized void updateServables(List<WatchedServable> next) {
    next.forEach(s -> storages.check(s.basePath()));
    Map<String, WatchedServable> nextMap = new LinkedHashMap<>();
    next.forEach(s -> nextMap.put(s.name(), s));
    for (String name : servables.keySet()) {
      if (!nextMap.containsKey(name)) {
        LOG.info("Servable " + name + " is no longer configured; unloading all its versions");
        lastEmitted.remove(name);
        lastProblem.remove(name);
        storageOf.remove(name);
        target.setAspiredVersions(name, Map.of());
      }
    }
    for (WatchedServable s : nextMap.values()) {
      WatchedServable old = servables.get(s.name());
      if (old != null && !old.equals(s)) {
        lastProblem.remove(s.name());
        if (!old.basePath().equals(s.basePath())) {
          storageOf.remove(s.name());
        }
      }
    }
    servables = nextMap;
    pollOnce();
  }

  /** Why {@code servable} has no loadable version now, or empty (a config reload's pre-check). */
  public Optional<String> problem(WatchedServable servable) {
    return LoadableVersions.problem(servable, storages);
  }

  synchronized void pollOnce() {
    for (WatchedServable servable : servables.values()) {
      ModelStorage.Listing listing;
      try {
        listing = storageOf.computeIfAbsent(servable.name(), n -> storages.open(servable.basePath())).list();
      } catch (IOException | RuntimeException e) {
        report(servable, "Cannot list base path " + servable.basePath() + " of servable "
            + servable.name() + ": " + describe(e));
        continue;
      }
      NavigableMap<Long, StoredVersion> found = listing.versions();
      if (listing.note() != null) {
        report(servable, listing.note() + " (servable " + servable.name() + ")");
      }
      NavigableMap<Long, StoredVersion> aspired = VersionSelection.select(servable.policy(), found);
      Set<Long> missing = VersionSelection.missingSpecific(servable.policy(), found.keySet());
      if (found.isEmpty()) {
        report(servable, "No versions of servable " + servable.name() + " found under base path "
            + servable.basePath() + ". Did you forget to name your leaf directory as a number (eg. '/1/')?");
      } else if (!missing.isEmpty()) {
        report(servable, "Versions " + missing + " of servable " + servable.name()
            + " were requested by the version policy but not found under " + servable.basePath());
      } else if (listing.note() == null) {
        lastProblem.remove(servable.name());
      }
      if (!aspired.equals(lastEmitted.get(servable.name()))) {
        LOG.info("Aspired versions of servable " + servable.name() + ": " + aspired.keySet());
        lastEmitted.put(servable.name(), aspired);
        target.setAspiredVersions(servable.name(), aspired);
      }
    }
  }

  /** A storage error in a line: the message of our own IOExceptions, else the exception's class too. */
  static String describe(Exception e) {
    return e.getClass() == IOException.class ? e.getMessage() : e.toString();
  }

  private void report(WatchedServable servable, String problem) {
    if (!Objects.equals(lastProblem.put(servable.name(), problem), problem)) {
      LOG.warning(problem);
    }
  }

  @Override
  public void close() {
    if (poller != null) {
      poller.shutdownNow();
    }
  }
}
