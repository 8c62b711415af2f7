package io.tessera.core;

import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Loads and unloads servable versions as Sources ask, and hands requests ref-counted handles.
 *
 * <p>Threading: the state changes of one servable run in order, one at a time, on a manager
 * thread; different servables load in parallel (up to {@code loadThreads}, changed later with
 * {@link #setLoadThreads}, as TF Serving's BasicManager loads the initial models on more threads
 * than later ones). {@link #acquire} never blocks and never takes a lock (it reads an immutable
 * serving map swapped RCU-style), so requests are not delayed by loads. Unloading removes a version
 * from the map first; once its last in-flight request has closed its handle the version is freed
 * on one of {@code unloadThreads} threads, or, with 0, at once on the manager thread (or, if a
 * request still holds the version, on that request's thread as it closes its handle). Unlike TF
 * Serving's manager, which waits for in-flight requests before it frees a version, no manager
 * thread ever waits for a request, so a long request does not hold up other loads.
 */
public final class AspiredVersionsManager<T extends AutoCloseable>
    implements Target<Loader<T>>, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(AspiredVersionsManager.class.getName());

  /**
   * Retry settings for failed loads (TF Serving: --max_num_load_retries,
   * --load_retry_interval_micros), how many servables may load at once and how many threads free
   * unloaded versions (0: the manager thread).
   */
  public record Options(int maxLoadRetries, Duration loadRetryInterval, int loadThreads, int unloadThreads) {
    /** One servable at a time; unloads on the manager thread. */
    public Options(int maxLoadRetries, Duration loadRetryInterval) {
      this(maxLoadRetries, loadRetryInterval, 1, 0);
    }

    /** Unloads on the manager thread. */
    public Options(int maxLoadRetries, Duration loadRetryInterval, int loadThreads) {
      this(maxLoadRetries, loadRetryInterval, loadThreads, 0);
    }
  }

  private final Options options;
  private final AspiredVersionPolicy policy;
  private final ServingMap<T> serving = new ServingMap<>();
  private final ServableStateMonitor monitor = new ServableStateMonitor();
  private final KeyedSerialExecutor managerThreads;
  // Frees unloaded versions; null = on the manager thread.
  private final ExecutorService unloadThreads;
  // Each servable's map is touched only by that servable's tasks on managerThreads.
  private final Map<String, NavigableMap<Long, Harness<T>>> harnesses = new ConcurrentHashMap<>();
  // The newest aspired set per servable, written by callers before the manager thread sees it,
  // so a load retry loop notices at once that its version stopped being aspired.
  private final Map<String, Set<Long>> latestAspired = new ConcurrentHashMap<>();

  public AspiredVersionsManager(Options options, AspiredVersionPolicy policy) {
    this.options = options;
    this.policy = policy;
    this.managerThreads = new KeyedSerialExecutor(options.loadThreads(), "tessera-manager");
    this.unloadThreads = options.unloadThreads() <= 0 ? null
        : Executors.newFixedThreadPool(options.unloadThreads(),
            KeyedSerialExecutor.daemonThreads("tessera-unload"));
  }

  /**
   * Changes how many servables may load at once (0 or 1: one at a time); TF Serving's server core
   * does this after the initial models are loaded (num_initial_load_threads, then num_load_threads).
   */
  public void setLoadThreads(int threads) {
    managerThreads.resize(threads);
    LOG.info("Servable versions now load on " + Math.max(1, threads) + " thread(s)");
  }

  /** Manager threads now (tests). */
  int loadThreads() {
    return managerThreads.threads();
  }

  @Override
  public void setAspiredVersions(String name, Map<Long, Loader<T>> versions) {
    Map<Long, Loader<T>> copy = Map.copyOf(versions);
    latestAspired.put(name, Set.copyOf(copy.keySet()));
    managerThreads.execute(name, () -> reconcile(name, copy));
  }

  /**
   * Waits until every aspired-versions call made before this one has been acted on: loads are
   * done (AVAILABLE or failed) and unloads have started. Returns false on timeout.
   */
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    return managerThreads.awaitIdle(timeout);
  }

  /** Resolves a request to an AVAILABLE version: latest when {@code version} is null. */
  public ServableHandle<T> acquire(String name, Long version) {
    for (int attempt = 0; attempt < 3; attempt++) {
      LoadedServable<T> loaded = serving.find(name, version);
      if (loaded == null) {
        break;
      }
      ServableHandle<T> handle = loaded.tryAcquire();
      if (handle != null) {
        return handle;
      }
      // Raced with an unload: the map has already moved on; look again.
    }
    String request = version == null ? "Latest(" + name + ")" : "Specific(" + name + ", " + version + ")";
    throw ServingException.notFound("Servable not found for request: " + request);
  }

  /**
   * Handles on every AVAILABLE version of {@code name} (for per-version settings that change
   * without a reload, e.g. request logging); the caller closes each. Never blocks.
   */
  public List<ServableHandle<T>> acquireAll(String name) {
    List<ServableHandle<T>> handles = new ArrayList<>();
    for (LoadedServable<T> loaded : serving.all(name)) {
      ServableHandle<T> handle = loaded.tryAcquire();
      if (handle != null) {
        handles.add(handle);
      }
    }
    return handles;
  }

  public ServableStateMonitor monitor() {
    return monitor;
  }

  /** Blocks until {@code name} has no version in START or LOADING, or the timeout passes. */
  public boolean awaitSettled(String name, Duration timeout) throws InterruptedException {
    return monitor.awaitSettled(name, timeout);
  }

  private void reconcile(String name, Map<Long, Loader<T>> aspired) {
    NavigableMap<Long, Harness<T>> versions = harnesses.computeIfAbsent(name, n -> new TreeMap<>());
    for (Map.Entry<Long, Loader<T>> e : aspired.entrySet()) {
      Harness<T> h = versions.get(e.getKey());
      if (h == null || (h.state == ServableState.END && !h.aspired)) {
        versions.put(e.getKey(), new Harness<>(new ServableId(name, e.getKey()), e.getValue()));
        monitor.update(name, VersionStatus.of(e.getKey(), ServableState.START));
      }
    }
    for (Harness<T> h : versions.values()) {
      h.aspired = aspired.containsKey(h.id.version());
    }
    while (true) {
      List<AspiredVersionPolicy.Snapshot> snapshots = new ArrayList<>();
      for (Harness<T> h : versions.values()) {
        snapshots.add(new AspiredVersionPolicy.Snapshot(h.id.version(), h.state, h.aspired));
      }
      Optional<AspiredVersionPolicy.Action> action = policy.nextAction(snapshots);
      if (action.isEmpty()) {
        break;
      }
      Harness<T> target = versions.get(action.get().version());
      if (action.get().kind() == AspiredVersionPolicy.ActionKind.LOAD) {
        load(target);
      } else {
        unload(target);
      }
    }
    // Versions that were never loaded and are no longer wanted leave the status list.
    versions.values().removeIf(h -> !h.aspired && h.state == ServableState.START);
  }

  private void load(Harness<T> h) {
    move(h, ServableState.LOADING, StatusCode.OK, "");
    LOG.info("Loading servable version " + h.id);
    long started = System.nanoTime();
    Exception lastError = null;
    for (int attempt = 0; attempt <= Math.max(0, options.maxLoadRetries()); attempt++) {
      if (attempt > 0) {
        if (!sleepWhileAspired(h.id, options.loadRetryInterval())) {
          LOG.info("Cancelled load retries of " + h.id + ": it is no longer aspired");
          break;
        }
        LOG.info("Retrying load of " + h.id + " (attempt " + (attempt + 1) + " of "
            + (options.maxLoadRetries() + 1) + ")");
      }
      try {
        T servable = h.loader.load();
        h.loaded = new LoadedServable<>(h.id, servable);
        serving.publish(h.id, h.loaded);
        move(h, ServableState.AVAILABLE, StatusCode.OK, "");
        LOG.info(String.format("Successfully loaded servable version %s in %d ms", h.id,
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)));
        return;
      } catch (Exception e) {
        lastError = e;
        LOG.log(Level.WARNING, "Loading servable " + h.id + " failed: " + e.getMessage());
      }
    }
    StatusCode code = lastError instanceof ServingException se ? se.code() : StatusCode.UNKNOWN;
    String message = lastError == null ? "load cancelled" : String.valueOf(lastError.getMessage());
    move(h, ServableState.END, code, message);
  }

  private void unload(Harness<T> h) {
    move(h, ServableState.UNLOADING, StatusCode.OK, "");
    LOG.info("Unloading servable version " + h.id);
    serving.unpublish(h.id);
    LoadedServable<T> loaded = h.loaded;
    h.loaded = null;
    h.state = ServableState.END;  // no further transitions are decided on it
    if (unloadThreads == null) {
      loaded.quiesced().thenRun(() -> free(h, loaded));
    } else {
      loaded.quiesced().thenRunAsync(() -> free(h, loaded), this::onUnloadThread);
    }
    loaded.release();
  }

  private void onUnloadThread(Runnable task) {
    try {
      unloadThreads.execute(task);
    } catch (RejectedExecutionException closed) {
      task.run();
    }
  }

  /** Frees a version no request holds any more and reports END. */
  private void free(Harness<T> h, LoadedServable<T> loaded) {
    loaded.free();
    LOG.info("Done unloading servable version " + h.id);
    // Report END in the servable's task order, and only if the version was not re-aspired
    // (and re-loaded under a new harness) meanwhile.
    managerThreads.execute(h.id.name(), () -> {
      NavigableMap<Long, Harness<T>> versions = harnesses.get(h.id.name());
      if (versions == null || versions.get(h.id.version()) == h) {
        monitor.update(h.id.name(), VersionStatus.of(h.id.version(), ServableState.END));
      }
    });
  }

  private void move(Harness<T> h, ServableState next, StatusCode code, String message) {
    if (!h.state.canMoveTo(next)) {
      throw new IllegalStateException("illegal transition " + h.state + " -> " + next + " for " + h.id);
    }
    h.state = next;
    monitor.update(h.id.name(), new VersionStatus(h.id.version(), next, code, message));
  }

  /** Sleeps {@code d}; false (early) once {@code id} is no longer aspired or on interrupt. */
  private boolean sleepWhileAspired(ServableId id, Duration d) {
    long deadline = System.nanoTime() + d.toNanos();
    try {
      while (true) {
        if (!latestAspired.getOrDefault(id.name(), Set.of()).contains(id.version())) {
          return false;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return true;
        }
        Thread.sleep(Math.max(1, Math.min(50, TimeUnit.NANOSECONDS.toMillis(left))));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Unloads everything (in-flight requests finish first) and stops the manager threads. */
  @Override
  public void close() {
    List<String> names = new ArrayList<>(monitor.modelNames());
    for (String name : names) {
      setAspiredVersions(name, Collections.emptyMap());
    }
    try {
      managerThreads.awaitIdle(Duration.ofMinutes(1));
      if (unloadThreads != null) {
        unloadThreads.shutdown();
        unloadThreads.awaitTermination(1, TimeUnit.MINUTES);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    managerThreads.close();
  }

  /** Per-version bookkeeping; touched only by its servable's manager tasks. */
  private static final class Harness<T extends AutoCloseable> {
    final ServableId id;
    final Loader<T> loader;
    ServableState state = ServableState.START;
    boolean aspired = true;
    LoadedServable<T> loaded;

    Harness(ServableId id, Loader<T> loader) {
      this.id = id;
      this.loader = loader;
    }
  }
}
