package io.tessera.serving;

import io.tessera.config.ModelConfigs;
import io.tessera.config.ModelConfigs.ModelEntry;
import io.tessera.core.AspiredVersionsManager;
import io.tessera.core.ServableHandle;
import io.tessera.core.ServableId;
import io.tessera.core.ServableState;
import io.tessera.core.VersionStatus;
import io.tessera.proto.serving.config.ModelServerConfig;
import io.tessera.requestlog.RequestLogSettings;
import io.tessera.requestlog.RequestLogStats;
import io.tessera.requestlog.RequestLogger;
import io.tessera.sources.FileSystemStoragePathSource;
import io.tessera.sources.FileSystemStoragePathSource.WatchedServable;
import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Applies ModelServerConfigs at start-up, on ReloadConfig RPCs and on config-file polls (TF
 * Serving's ServerCore::ReloadConfig): validates, hands the model list to the file-system source
 * (models left out are unloaded), waits until the new models' versions are AVAILABLE or failed,
 * then installs the version labels. Request logging ({@code logging_config}) is part of the
 * config: it is validated with it (an unknown collector type or an unusable log directory
 * rejects the whole config, nothing changed), each loading version opens its log from the config
 * in effect ({@link #requestLogFor}), and a reload that changes a model's logging_config replaces
 * the logs of its loaded versions in place (no version reload).
 *
 * <p>Reloads (RPC and polls) are first checked as a whole: every model that is new, or whose base
 * path or version policy changed, must have a loadable version on disk now
 * ({@link FileSystemStoragePathSource#problem}); otherwise nothing changes and the reload fails with
 * FAILED_PRECONDITION naming each model and path. They are bounded in time: waiting for the
 * config lock and for the new models both end at the caller's deadline (ABORTED "another config
 * reload is in progress", or DEADLINE_EXCEEDED with the config in effect, its models still
 * loading and the previous version labels kept). Interruption (RPC cancellation) ends either wait.
 *
 * <p>Locking: {@link #reloadLock} serializes applying configs; it is held while a reload waits
 * for its models, never longer than that reload's deadline. Label lookups, {@link #current} and
 * {@link #configuredNames} read volatile snapshots and never block.
 */
public final class ModelConfigController {
  private static final Logger LOG = Logger.getLogger(ModelConfigController.class.getName());
  private static final Duration PROGRESS_LOG_INTERVAL = Duration.ofSeconds(10);
  /** Start-up waits for its models as long as they take (TF Serving). */
  private static final Duration UNBOUNDED = Duration.ofDays(36500);

  /** Opens a version's request log (the server supplies the saved model tags and its metrics). */
  @FunctionalInterface
  public interface RequestLogOpener {
    RequestLogger open(ServableId id, RequestLogSettings settings);
  }

  private final AspiredVersionsManager<ServedModel> manager;
  private final FileSystemStoragePathSource source;
  private final RequestLogSettings.ServerOptions logOptions;
  private final RequestLogOpener logOpener;
  private final boolean allowLabelsForUnavailable;
  private final Duration pollReloadMaxTime;
  private final ReentrantLock reloadLock = new ReentrantLock();
  /** Written under reloadLock. */
  private volatile ModelServerConfig current = ModelServerConfig.getDefaultInstance();
  /** Why the last polled config was not applied (logged once per change); poller thread only. */
  private String lastPollProblem;
  /** Names in the config being applied or applied last; readable without the lock (probes). */
  private volatile java.util.Set<String> configuredNames = java.util.Set.of();
  private volatile Map<String, Map<String, Long>> labels = Map.of();

  /**
   * @param pollReloadMaxTime bound of a config-file poll's reload (--reload_config_max_seconds);
   *     zero or negative = unbounded
   */
  public ModelConfigController(AspiredVersionsManager<ServedModel> manager,
      FileSystemStoragePathSource source, boolean allowLabelsForUnavailable, Duration pollReloadMaxTime) {
    this(manager, source, allowLabelsForUnavailable, pollReloadMaxTime, RequestLogSettings.ServerOptions.DEFAULTS,
        (id, settings) -> RequestLogger.open(id.name(), id.version(), settings, List.of(), RequestLogStats.NONE));
  }

  /**
   * @param logOptions --log_task and --request_log_max_file_bytes
   * @param logOpener opens the request log of a version whose model has a logging_config
   */
  public ModelConfigController(AspiredVersionsManager<ServedModel> manager,
      FileSystemStoragePathSource source, boolean allowLabelsForUnavailable, Duration pollReloadMaxTime,
      RequestLogSettings.ServerOptions logOptions, RequestLogOpener logOpener) {
    this.manager = manager;
    this.source = source;
    this.logOptions = logOptions;
    this.logOpener = logOpener;
    this.allowLabelsForUnavailable = allowLabelsForUnavailable;
    this.pollReloadMaxTime = pollReloadMaxTime.isZero() || pollReloadMaxTime.isNegative()
        ? UNBOUNDED : pollReloadMaxTime;
  }

  /**
   * Start-up: makes {@code config} the served set and returns once every model has settled, with
   * an AVAILABLE version. No on-disk pre-check (a base path may be filled later, as in TF
   * Serving) and no time bound. An empty config is a no-op (TF Serving).
   *
   * @throws ServingException invalid config, a new model that failed to load, or a bad label
   */
  public void apply(ModelServerConfig config) throws InterruptedException {
    apply(config, Duration.ZERO);
  }

  /**
   * Start-up bounded by {@code timeout} (--startup_timeout_seconds; zero or negative = wait as
   * long as it takes, TF Serving's behaviour). At the bound it fails with DEADLINE_EXCEEDED naming
   * each model not yet AVAILABLE and why it waits.
   */
  public void apply(ModelServerConfig config, Duration timeout) throws InterruptedException {
    boolean bounded = !timeout.isZero() && !timeout.isNegative();
    reloadLock.lockInterruptibly();
    try {
      applyLocked(config, false, System.nanoTime() + (bounded ? timeout : UNBOUNDED).toNanos());
    } catch (ServingException e) {
      if (!bounded || e.code() != StatusCode.DEADLINE_EXCEEDED) {
        throw e;
      }
      throw StartupWait.timedOut(manager, ModelConfigs.entries(config), timeout);
    } finally {
      reloadLock.unlock();
    }
  }

  /**
   * A reload (RPC): pre-checks, applies and waits for the new models, all within {@code timeout}.
   *
   * @throws ServingException INVALID_ARGUMENT / FAILED_PRECONDITION (nothing changed), ABORTED
   *     (another reload held the lock past the deadline; nothing changed), DEADLINE_EXCEEDED (the
   *     config is in effect, models still loading), or a new model's load failure
   * @throws InterruptedException cancelled; if the config was already installed it stays
   */
  public void reload(ModelServerConfig config, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    if (!reloadLock.tryLock(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
      throw new ServingException(StatusCode.ABORTED, "Another config reload is in progress and did not finish within "
          + timeout.toMillis() + " ms; the model config was not changed");
    }
    try {
      applyLocked(config, true, deadline);
    } finally {
      reloadLock.unlock();
    }
  }

  /** Re-reads a config file and reloads it if it changed; errors are logged (polling thread). */
  public void reloadIfChanged(Path file) {
    try {
      ModelServerConfig next = ModelConfigs.readFile(file);
      if (next.equals(current)) {
        return;
      }
      LOG.fine("Model config file " + file + " changed; reloading");
      reload(next, pollReloadMaxTime);
      lastPollProblem = null;
    } catch (ServingException e) {
      // A rejected file is retried on every poll (its models may appear); said once per problem.
      if (!e.getMessage().equals(lastPollProblem)) {
        LOG.warning("Failed to reload model config file " + file + ": " + e.getMessage());
      }
      lastPollProblem = e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "Failed to reload model config file " + file, e);
    }
  }

  /** Caller holds reloadLock. {@code deadline} is a System.nanoTime() instant. */
  private void applyLocked(ModelServerConfig config, boolean precheck, long deadline) throws InterruptedException {
    if (config.getConfigCase() == ModelServerConfig.ConfigCase.CONFIG_NOT_SET) {
      LOG.info("Ignoring an empty model server config");
      return;
    }
    List<ModelEntry> entries = ModelConfigs.entries(config);
    Map<String, ModelEntry> previous = new LinkedHashMap<>();
    ModelConfigs.entries(current).forEach(e -> previous.put(e.name(), e));
    List<String> logProblems = requestLogProblems(entries, previous);  // INVALID_ARGUMENT for unknown types
    if (!logProblems.isEmpty()) {
      throw ServingException.failedPrecondition("Model config rejected, no model was changed: "
          + String.join("; ", logProblems));
    }
    if (precheck) {
      List<String> problems = unloadable(entries, previous);
      if (!problems.isEmpty()) {
        throw ServingException.failedPrecondition("Model config rejected, no model was changed: "
            + String.join("; ", problems));
      }
    }
    current = config;
    configuredNames = entries.stream().map(ModelEntry::name).collect(java.util.stream.Collectors.toUnmodifiableSet());
    LOG.info("Applying model server config with models "
        + entries.stream().map(ModelEntry::name).toList());
    source.updateServables(entries.stream().map(ModelConfigController::watched).toList());
    updateRequestLogs(entries, previous);
    long started = System.nanoTime();
    while (!manager.awaitIdle(slice(deadline))) {
      checkDeadline(deadline, entries);
      LOG.info("Still loading models (" + seconds(started) + " s)");
    }
    updateRequestLogs(entries, previous);  // versions whose load read the previous config
    for (ModelEntry e : entries) {
      if (!previous.containsKey(e.name())) {
        awaitAvailable(e, started, deadline, entries);
      }
    }
    installLabels(entries);
  }

  /**
   * Problems of the entries that are new or changed base path or policy: those must have a
   * loadable version now. Unchanged models are left alone (they may be between versions).
   */
  private List<String> unloadable(List<ModelEntry> entries, Map<String, ModelEntry> previous) {
    List<String> problems = new ArrayList<>();
    for (ModelEntry e : entries) {
      ModelEntry old = previous.get(e.name());
      if (old == null || !old.basePath().equals(e.basePath()) || !old.policy().equals(e.policy())) {
        source.problem(watched(e)).ifPresent(problems::add);
      }
    }
    return problems;
  }

  /**
   * Checks the logging_config of every entry that is new or changed it: a valid config (else
   * INVALID_ARGUMENT naming the model, the type and the supported ones) and, for the file
   * collector, a usable directory (returned as problems).
   */
  private List<String> requestLogProblems(List<ModelEntry> entries, Map<String, ModelEntry> previous) {
    List<String> problems = new ArrayList<>();
    for (ModelEntry e : entries) {
      ModelEntry old = previous.get(e.name());
      if (RequestLogSettings.enabled(e.logging()) && (old == null || !old.logging().equals(e.logging()))) {
        RequestLogSettings.of(e.name(), e.logging(), logOptions).unwritable(e.name()).ifPresent(problems::add);
      }
    }
    return problems;
  }

  /**
   * Gives the loaded versions of every model whose logging_config changed their new request log
   * (or none); versions already logging with the new settings are left alone.
   */
  private void updateRequestLogs(List<ModelEntry> entries, Map<String, ModelEntry> previous) {
    for (ModelEntry e : entries) {
      ModelEntry old = previous.get(e.name());
      if (old == null || old.logging().equals(e.logging())) {
        continue;
      }
      RequestLogSettings settings = settingsOf(e);
      for (ServableHandle<ServedModel> handle : manager.acquireAll(e.name())) {
        try (handle) {
          RequestLogger now = handle.servable().requestLog();
          if (settings == null ? now != null : now == null || !now.settings().equals(settings)) {
            handle.servable().replaceRequestLog(settings == null ? null : logOpener.open(handle.id(), settings));
            LOG.info("Request logging of " + handle.id() + (settings == null ? " turned off" : ": " + settings.type()
                + ", sampling rate " + settings.samplingRate()));
          }
        } catch (RuntimeException failed) {
          LOG.warning("Could not change the request log of " + handle.id() + ": " + failed.getMessage());
        }
      }
    }
  }

  /**
   * The request log a version of {@code id}'s model gets when it loads under the config in effect,
   * or null when the model logs nothing.
   *
   * @throws ServingException the log cannot be opened (fails the load)
   */
  public RequestLogger requestLogFor(ServableId id) {
    for (ModelEntry e : ModelConfigs.entries(current)) {
      if (e.name().equals(id.name())) {
        RequestLogSettings settings = settingsOf(e);
        return settings == null ? null : logOpener.open(id, settings);
      }
    }
    return null;
  }

  private RequestLogSettings settingsOf(ModelEntry e) {
    return RequestLogSettings.enabled(e.logging()) ? RequestLogSettings.of(e.name(), e.logging(), logOptions) : null;
  }

  private static WatchedServable watched(ModelEntry e) {
    return new WatchedServable(e.name(), e.basePath(), e.policy());
  }

  /** The next wait: a progress-log interval, or what is left before the deadline if sooner. */
  private static Duration slice(long deadline) {
    long left = deadline - System.nanoTime();
    return Duration.ofNanos(Math.max(0, Math.min(left, PROGRESS_LOG_INTERVAL.toNanos())));
  }

  private static void checkDeadline(long deadline, List<ModelEntry> entries) {
    if (deadline - System.nanoTime() <= 0) {
      throw new ServingException(StatusCode.DEADLINE_EXCEEDED, "The model config with models "
          + entries.stream().map(ModelEntry::name).toList() + " is in effect, but its models did not finish "
          + "loading in time; they keep loading, and version labels stay as they were until the next reload");
    }
  }

  /** The version a label points to, or INVALID_ARGUMENT (TF Serving's wording). */
  public long resolveLabel(String model, String label) {
    Long version = labels.getOrDefault(model, Map.of()).get(label);
    if (version == null) {
      throw ServingException.invalidArgument("Unrecognized servable version label: " + label);
    }
    return version;
  }

  /** The configured model names, without waiting for a reload in progress. */
  public java.util.Set<String> configuredNames() {
    return configuredNames;
  }

  /** The config applied last (or being applied). */
  public ModelServerConfig current() {
    return current;
  }

  private void awaitAvailable(ModelEntry entry, long started, long deadline, List<ModelEntry> entries)
      throws InterruptedException {
    String model = entry.name();
    while (!manager.awaitSettled(model, slice(deadline))) {
      checkDeadline(deadline, entries);
      LOG.info("Still waiting for model " + model + " to load (" + seconds(started) + " s): " + StartupWait.reason(manager, entry));
    }
    List<VersionStatus> versions = manager.monitor().versions(model);
    if (versions.stream().noneMatch(v -> v.state() == ServableState.AVAILABLE)) {
      VersionStatus newest = versions.get(0);
      throw new ServingException(newest.errorCode() == StatusCode.OK ? StatusCode.UNKNOWN : newest.errorCode(),
          "Loading servable: {name: " + model + " version: " + newest.version() + "} failed: "
              + newest.errorMessage());
    }
  }

  /**
   * Labels must name AVAILABLE versions, except that with --allow_version_labels_for_unavailable_models
   * a new label (or one that keeps its version) may name any version.
   */
  private void installLabels(List<ModelEntry> entries) {
    Map<String, Map<String, Long>> next = new HashMap<>();
    for (ModelEntry e : entries) {
      Map<String, Long> old = labels.getOrDefault(e.name(), Map.of());
      for (Map.Entry<String, Long> label : e.labels().entrySet()) {
        long version = label.getValue();
        boolean reassigned = old.containsKey(label.getKey()) && old.get(label.getKey()) != version;
        if ((!allowLabelsForUnavailable || reassigned) && !isAvailable(e.name(), version)) {
          throw ServingException.failedPrecondition("Request to assign label to version " + version
              + " of model " + e.name() + ", which is not currently available for inference");
        }
      }
      if (!e.labels().isEmpty()) {
        next.put(e.name(), e.labels());
        LOG.info("Version labels of model " + e.name() + ": " + e.labels());
      }
    }
    labels = Map.copyOf(next);
  }

  private boolean isAvailable(String model, long version) {
    return manager.monitor().versions(model).stream()
        .anyMatch(v -> v.version() == version && v.state() == ServableState.AVAILABLE);
  }

  private static long seconds(long startedNanos) {
    return Duration.ofNanos(System.nanoTime() - startedNanos).toSeconds();
  }
}
