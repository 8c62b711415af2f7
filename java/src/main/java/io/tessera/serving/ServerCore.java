package io.tessera.serving;

import io.tessera.core.AspiredVersionsManager;
import io.tessera.core.ServableHandle;
import io.tessera.core.ServableState;
import io.tessera.core.VersionStatus;
import io.tessera.metrics.ServingMetrics;
import io.tessera.proto.serving.config.ModelServerConfig;
import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import java.util.List;
import java.util.Set;

/**
 * What the API front ends see of the model lifecycle: the request {@link Pipeline}, version
 * resolution into ref-counted handles, model status and config reloads. {@link #acquire} and
 * {@link #status} are thread-safe and non-blocking; {@link #reloadConfig} blocks until the new
 * models are loaded (bounded).
 */
public final class ServerCore implements ModelVersions {
  private final AspiredVersionsManager<ServedModel> manager;
  private final ModelConfigController configs;
  private final ServingMetrics metrics;
  private final Pipeline pipeline;
  private final ModelRepository repository;

  /** A core without config reloads or labels (every label is unknown). */
  public ServerCore(AspiredVersionsManager<ServedModel> manager) {
    this(manager, null);
  }

  public ServerCore(AspiredVersionsManager<ServedModel> manager, ModelConfigController configs) {
    this(manager, configs, new ServingMetrics(), false);
  }

  /** @param checkMethodNames --enable_signature_method_name_check */
  public ServerCore(AspiredVersionsManager<ServedModel> manager, ModelConfigController configs,
      ServingMetrics metrics, boolean checkMethodNames) {
    this.manager = manager;
    this.configs = configs;
    this.metrics = metrics;
    this.pipeline = new Pipeline(this, metrics, checkMethodNames);
    this.repository = configs == null ? null : new ModelRepository(configs, manager.monitor());
  }

  /**
   * The model-repository view of the config (load, unload, index).
   *
   * @throws ServingException UNIMPLEMENTED when this server cannot change its config
   */
  public ModelRepository repository() {
    if (repository == null) {
      throw ServingException.unimplemented("this server cannot change its model config");
    }
    return repository;
  }

  /** Where every API call of every front end becomes a run (and is recorded). */
  public Pipeline pipeline() {
    return pipeline;
  }

  /** The server's metrics (front ends record nothing themselves; the pipeline does). */
  public ServingMetrics metrics() {
    return metrics;
  }

  /** Ready = at least one model is configured and every configured model has an AVAILABLE version. */
  public boolean allModelsAvailable() {
    Set<String> names = modelNames();
    return !names.isEmpty() && names.stream().allMatch(name -> manager.monitor().versions(name).stream()
        .anyMatch(v -> v.state() == ServableState.AVAILABLE));
  }

  /** Names of the configured models (all models ever seen when there is no config controller). */
  public Set<String> modelNames() {
    return configs != null ? configs.configuredNames() : manager.monitor().modelNames();
  }

  /**
   * Resolves a request's model spec. {@code version} wins over {@code label}; neither means the
   * latest AVAILABLE version. Close the handle when the request is done. A null name is a
   * request without a ModelSpec; both checks in TF Serving's words (its Predict/Classify/Regress/
   * GetModelMetadata impls and {@code ServerCore::ServableRequestFromModelSpec}).
   */
  public ServableHandle<ServedModel> acquire(String name, Long version, String label) {
    if (name == null) {
      throw ServingException.invalidArgument("Missing ModelSpec");
    }
    if (name.isEmpty()) {
      throw ServingException.invalidArgument("ModelSpec has no name specified.");
    }
    if (version == null && label != null && !label.isEmpty()) {
      if (configs == null) {
        throw ServingException.invalidArgument("Unrecognized servable version label: " + label);
      }
      version = configs.resolveLabel(name, label);
    }
    return manager.acquire(name, version);
  }

  @Override
  public ResolvedVersion acquire(ModelRef ref) {
    ServableHandle<ServedModel> handle = acquire(ref.name(), ref.version(), ref.label());
    return new ResolvedVersion(handle.id(), handle.servable(), handle::close);
  }

  /**
   * All known versions of a model, newest first (TF Serving keeps END entries too). A null name
   * is a request without a ModelSpec; an empty one is looked up like any other, as TF Serving's
   * GetModelStatusImpl does (NOT_FOUND).
   */
  @Override
  public List<VersionStatus> status(String name, Long version) {
    if (name == null) {
      throw ServingException.invalidArgument("Missing ModelSpec");
    }
    List<VersionStatus> versions = manager.monitor().versions(name);
    if (versions.isEmpty()) {
      throw ServingException.notFound("Could not find any versions of model " + name);
    }
    if (version == null) {
      return versions;
    }
    List<VersionStatus> one = versions.stream().filter(v -> v.version() == version).toList();
    if (one.isEmpty()) {
      throw ServingException.notFound("Could not find version " + version + " of model " + name);
    }
    return one;
  }

  /**
   * ModelService.HandleReloadConfigRequest: checks and applies {@code config} and waits for the new
   * models, for at most {@code timeout} in all (see {@link ModelConfigController#reload}).
   * Blocks the calling thread; interrupting it cancels the wait (CANCELLED).
   */
  public void reloadConfig(ModelServerConfig config, java.time.Duration timeout) {
    if (configs == null) {
      throw ServingException.unimplemented("this server cannot reload its model config");
    }
    try {
      configs.reload(config, timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ServingException(StatusCode.CANCELLED, "config reload interrupted");
    }
  }
}
