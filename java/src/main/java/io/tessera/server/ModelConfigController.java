package io.tessera.server;

import io.tessera.config.ModelConfigs;
import io.tessera.config.ModelConfigs.ModelEntry;
import io.tessera.core.AspiredVersionsManager;
import io.tessera.core.ServableState;
import io.tessera.core.ServingException;
import io.tessera.core.StatusCode;
import io.tessera.core.VersionStatus;
import io.tessera.proto.serving.config.ModelServerConfig;
import io.tessera.servables.SavedModelBundle;
import io.tessera.sources.FileSystemStoragePathSource;
import io.tessera.sources.FileSystemStoragePathSource.WatchedServable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Applies ModelServerConfigs at start-up, on ReloadConfig RPCs and on config-file polls (TF
 * Serving's ServerCore::ReloadConfig): validates, hands the model list to the file-system source
 * (models left out are unloaded), waits until the new models' versions are AVAILABLE or failed,
 * then installs the version labels. Reloads are serialized; label lookups never block.
 */
public final class ModelConfigController {
  private static final Logger LOG = Logger.getLogger(ModelConfigController.class.getName());
  private static final Duration PROGRESS_LOG_INTERVAL = Duration.ofSeconds(10);

  private final AspiredVersionsManager<SavedModelBundle> manager;
  private final FileSystemStoragePathSource source;
  private final boolean allowLabelsForUnavailable;
  private ModelServerConfig current = ModelServerConfig.getDefaultInstance();  // guarded by this
  /** Names in the config being applied or applied last; readable without the lock (probes). */
  private volatile java.util.Set<String> configuredNames = java.util.Set.of();
  private volatile Map<String, Map<String, Long>> labels = Map.of();

  public ModelConfigController(AspiredVersionsManager<SavedModelBundle> manager,
      FileSystemStoragePathSource source, boolean allowLabelsForUnavailable) {
    this.manager = manager;
    this.source = source;
    this.allowLabelsForUnavailable = allowLabelsForUnavailable;
  }

  /**
   * Makes {@code config} the served set and returns once every newly added model has an
   * AVAILABLE version. An empty config is a no-op (TF Serving).
   *
   * @throws ServingException invalid config, a new model that failed to load, or a bad label
   */
  public synchronized void apply(ModelServerConfig config) throws InterruptedException {
    if (config.getConfigCase() == ModelServerConfig.ConfigCase.CONFIG_NOT_SET) {
      LOG.info("Ignoring an empty model server config");
      return;
    }
    List<ModelEntry> entries = ModelConfigs.entries(config);
    Map<String, ModelEntry> previous = new LinkedHashMap<>();
    ModelConfigs.entries(current).forEach(e -> previous.put(e.name(), e));
    current = config;
    configuredNames = entries.stream().map(ModelEntry::name).collect(java.util.stream.Collectors.toUnmodifiableSet());
    LOG.info("Applying model server config with models "
        + entries.stream().map(ModelEntry::name).toList());
    source.updateServables(entries.stream()
        .map(e -> new WatchedServable(e.name(), e.basePath(), e.policy())).toList());
    long started = System.nanoTime();
    while (!manager.awaitIdle(PROGRESS_LOG_INTERVAL)) {
      LOG.info("Still loading models (" + seconds(started) + " s)");
    }
    for (ModelEntry e : entries) {
      if (!previous.containsKey(e.name())) {
        awaitAvailable(e.name(), started);
      }
    }
    installLabels(entries);
  }

  /** Re-reads a config file and applies it if it changed; errors are logged (polling). */
  public void reloadIfChanged(Path file) {
    try {
      ModelServerConfig next = ModelConfigs.readFile(file);
      synchronized (this) {
        if (next.equals(current)) {
          return;
        }
        LOG.info("Model config file " + file + " changed; reloading");
        apply(next);
      }
    } catch (ServingException e) {
      LOG.warning("Failed to reload model config file " + file + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "Failed to reload model config file " + file, e);
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

  public synchronized ModelServerConfig current() {
    return current;
  }

  private void awaitAvailable(String model, long started) throws InterruptedException {
    while (!manager.awaitSettled(model, PROGRESS_LOG_INTERVAL)) {
      LOG.info("Still waiting for model " + model + " to load (" + seconds(started) + " s)");
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
