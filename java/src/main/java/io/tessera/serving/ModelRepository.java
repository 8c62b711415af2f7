package io.tessera.serving;

import io.tessera.config.ModelConfigs;
import io.tessera.core.ServableStateMonitor;
import io.tessera.core.VersionStatus;
import io.tessera.proto.serving.config.ModelConfig;
import io.tessera.proto.serving.config.ModelConfigList;
import io.tessera.proto.serving.config.ModelServerConfig;
import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The model-repository view of the model config (the Open Inference Protocol's repository
 * extension): an index of the configured models and of those unloaded since, and load / unload
 * of one model. Load and unload are config reloads ({@link ModelConfigController#reload}): the
 * current config with that model added or removed, checked and applied through the same lifecycle,
 * so other models and in-flight requests are untouched and a version only leaves once nothing
 * holds it. A load takes its base path from a {@code base_path} given by the client, else from the
 * model's entry when it was configured (an unloaded model keeps its entry here). Repository calls
 * are serialized among themselves; a config-file poll or a ReloadConfig RPC in between is applied
 * as it is (declarative, like TF Serving's). Thread-safe.
 */
public final class ModelRepository {
  /** One model of the index: whether it is in the config now, and its versions' states. */
  public record Entry(String name, boolean configured, List<VersionStatus> versions) {}

  private final ModelConfigController configs;
  private final ServableStateMonitor monitor;
  private final ReentrantLock lock = new ReentrantLock();
  /** Entries of models unloaded through the repository, by name (written under lock). */
  private final Map<String, ModelConfig> unloaded = new ConcurrentHashMap<>();

  ModelRepository(ModelConfigController configs, ServableStateMonitor monitor) {
    this.configs = configs;
    this.monitor = monitor;
  }

  /** Every configured or repository-unloaded model, by name. */
  public List<Entry> index() {
    TreeSet<String> names = new TreeSet<>(configs.configuredNames());
    names.addAll(unloaded.keySet());
    List<Entry> entries = new ArrayList<>();
    for (String name : names) {
      entries.add(new Entry(name, configs.configuredNames().contains(name), monitor.versions(name)));
    }
    return entries;
  }

  /**
   * Adds {@code name} to the config (or, given another base path, points it there) and waits
   * until it is AVAILABLE or failed; a model already configured with that path is left as it is.
   *
   * @param basePath the client's base path, or null for the one the model was configured with
   * @throws ServingException NOT_FOUND when no base path is known; the reload's errors otherwise
   */
  public void load(String name, String basePath, Duration timeout) {
    locked(timeout, () -> {
      List<ModelConfig> models = new ArrayList<>(configuredModels());
      int at = indexOf(models, name);
      ModelConfig known = at >= 0 ? models.get(at) : unloaded.get(name);
      if (known == null && basePath == null) {
        throw ServingException.notFound("failed to load '" + name + "': it was never configured; give its"
            + " base path as the parameter base_path");
      }
      ModelConfig entry = known != null ? known : ModelConfig.newBuilder().setName(name)
          .setModelPlatform(ModelConfigs.TENSORFLOW).build();
      if (basePath != null) {
        entry = entry.toBuilder().setBasePath(basePath).build();
      }
      if (at >= 0 && entry.equals(models.get(at))) {
        return;  // already configured as asked
      }
      if (at >= 0) {
        models.set(at, entry);
      } else {
        models.add(entry);
      }
      reload(models, timeout);
      unloaded.remove(name);
    });
  }

  /** Removes {@code name} from the config; its versions unload once no request holds them. */
  public void unload(String name, Duration timeout) {
    locked(timeout, () -> {
      List<ModelConfig> models = new ArrayList<>(configuredModels());
      int at = indexOf(models, name);
      if (at < 0) {
        throw ServingException.notFound("failed to unload '" + name + "': it is not loaded");
      }
      ModelConfig entry = models.remove(at);
      reload(models, timeout);
      unloaded.put(name, entry);
    });
  }

  private List<ModelConfig> configuredModels() {
    ModelServerConfig current = configs.current();
    if (current.hasCustomModelConfig()) {
      throw ServingException.unimplemented("the model repository needs a model_config_list config");
    }
    return current.getModelConfigList().getConfigList();
  }

  private static int indexOf(List<ModelConfig> models, String name) {
    for (int i = 0; i < models.size(); i++) {
      if (models.get(i).getName().equals(name)) {
        return i;
      }
    }
    return -1;
  }

  private void reload(List<ModelConfig> models, Duration timeout) throws InterruptedException {
    configs.reload(ModelServerConfig.newBuilder()
        .setModelConfigList(ModelConfigList.newBuilder().addAllConfig(models)).build(), timeout);
  }

  private interface Change {
    void apply() throws InterruptedException;
  }

  private void locked(Duration timeout, Change change) {
    try {
      if (!lock.tryLock(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        throw new ServingException(StatusCode.ABORTED, "another repository load or unload did not finish within "
            + timeout.toMillis() + " ms");
      }
      try {
        change.apply();
      } finally {
        lock.unlock();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ServingException(StatusCode.CANCELLED, "repository call interrupted");
    }
  }
}
