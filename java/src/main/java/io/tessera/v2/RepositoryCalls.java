package io.tessera.v2;

import io.tessera.serving.ServerCore;
import io.tessera.status.ServingException;

/**
 * Repository load and unload for both halves, behind --enable_model_repository_control and
 * --enable_reload_config_rpc (UNIMPLEMENTED naming the flag that is off).
 */
public final class RepositoryCalls {
  /** The load parameter naming the model's base path (Tessera's; Triton's "config" is not read). */
  public static final String BASE_PATH = "base_path";

  private RepositoryCalls() {}

  /** @param basePath the client's base_path parameter, or null */
  public static void load(ServerCore core, V2Settings settings, String model, String basePath) {
    checkEnabled(settings);
    core.repository().load(requireName(model), basePath, settings.changeTimeout());
  }

  public static void unload(ServerCore core, V2Settings settings, String model) {
    checkEnabled(settings);
    core.repository().unload(requireName(model), settings.changeTimeout());
  }

  private static void checkEnabled(V2Settings settings) {
    if (!settings.repositoryControl()) {
      throw ServingException.unimplemented("model repository load and unload are off on this server"
          + " (start it with --enable_model_repository_control)");
    }
    if (!settings.reloadRpc()) {
      throw ServingException.unimplemented("model repository load and unload are disabled on this server"
          + " (--enable_reload_config_rpc=false)");
    }
  }

  private static String requireName(String model) {
    if (model == null || model.isEmpty()) {
      throw ServingException.invalidArgument("missing model name");
    }
    return model;
  }
}
