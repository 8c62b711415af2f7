package io.tessera.server;

import io.tessera.core.AspiredVersionsManager;
import io.tessera.core.ServableHandle;
import io.tessera.core.ServingException;
import io.tessera.core.VersionStatus;
import io.tessera.servables.SavedModelBundle;
import java.util.List;

/**
 * What the API front ends see of the model lifecycle: version resolution into ref-counted
 * handles, and model status. Thread-safe and non-blocking.
 */
public final class ServerCore {
  private final AspiredVersionsManager<SavedModelBundle> manager;

  public ServerCore(AspiredVersionsManager<SavedModelBundle> manager) {
    this.manager = manager;
  }

  /**
   * Resolves a request's model spec. {@code version} wins over {@code label}; neither means the
   * latest AVAILABLE version. Close the handle when the request is done.
   */
  public ServableHandle<SavedModelBundle> acquire(String name, Long version, String label) {
    if (name == null || name.isEmpty()) {
      throw ServingException.invalidArgument("Missing ModelSpec");
    }
    if (version == null && label != null && !label.isEmpty()) {
      // Version labels arrive with --model_config_file; none are configured yet.
      throw ServingException.invalidArgument("Unrecognized servable version label: " + label);
    }
    return manager.acquire(name, version);
  }

  /** All known versions of a model, newest first (TF Serving keeps END entries too). */
  public List<VersionStatus> status(String name, Long version) {
    if (name == null || name.isEmpty()) {
      throw ServingException.invalidArgument("Missing model name in request.");
    }
    List<VersionStatus> versions = manager.monitor().versions(name).stream()
        .toList();
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
}
