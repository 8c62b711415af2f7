package io.tessera.config;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.tessera.proto.serving.config.ModelWarmupOptions;
import io.tessera.proto.serving.config.PlatformConfig;
import io.tessera.proto.serving.config.PlatformConfigMap;
import io.tessera.proto.serving.config.SavedModelBundleSourceAdapterConfig;
import io.tessera.proto.serving.config.SessionBundleConfig;
import io.tessera.status.ServingException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * --platform_config_file: TF Serving's PlatformConfigMap (text or JSON). Tessera serves one
 * platform, "tensorflow", whose source adapter config is a SavedModelBundleSourceAdapterConfig in a
 * {@code google.protobuf.Any}; its {@code legacy_config} (a SessionBundleConfig) is what the server
 * applies. Anything Tessera could not honour (another platform, another adapter type, a
 * SessionBundleConfig setting it has no implementation for) is INVALID_ARGUMENT naming the file and
 * the setting, so a deployment never starts with part of its config silently dropped. Pure apart
 * from reading the file.
 */
public final class PlatformConfigs {
  /** The platform name of TensorFlow SavedModels (TF Serving's kTensorFlowModelPlatform). */
  public static final String TENSORFLOW = "tensorflow";

  private static final String ADAPTER_TYPE = SavedModelBundleSourceAdapterConfig.getDescriptor().getFullName();

  private PlatformConfigs() {}

  /** Reads {@code file} and returns the "tensorflow" platform's SessionBundleConfig, checked. */
  public static SessionBundleConfig read(Path file) {
    PlatformConfigMap map = TextOrJsonConfig.parse(file, PlatformConfigMap.newBuilder(),
        List.of(SavedModelBundleSourceAdapterConfig.getDescriptor()));
    return tensorflowConfig(file.toString(), map);
  }

  /** The checked SessionBundleConfig of {@code map}'s "tensorflow" entry ({@code source} names it in errors). */
  public static SessionBundleConfig tensorflowConfig(String source, PlatformConfigMap map) {
    String where = "--platform_config_file " + source + ": ";
    for (String platform : map.getPlatformConfigsMap().keySet()) {
      if (!platform.equals(TENSORFLOW)) {
        throw ServingException.invalidArgument(where + "platform \"" + platform + "\" is not supported; "
            + "this server serves only platform \"" + TENSORFLOW + "\"");
      }
    }
    PlatformConfig platform = map.getPlatformConfigsMap().get(TENSORFLOW);
    if (platform == null) {
      throw ServingException.invalidArgument(where + "PlatformConfigMap has no entry for platform " + TENSORFLOW);
    }
    Any any = platform.getSourceAdapterConfig();
    String type = any.getTypeUrl().substring(any.getTypeUrl().lastIndexOf('/') + 1);
    if (!type.equals(ADAPTER_TYPE)) {
      throw ServingException.invalidArgument(where + "platform " + TENSORFLOW + " has source_adapter_config of type "
          + (type.isEmpty() ? "(none)" : type) + "; this server supports only " + ADAPTER_TYPE);
    }
    SavedModelBundleSourceAdapterConfig adapter;
    try {
      adapter = any.unpack(SavedModelBundleSourceAdapterConfig.class);
    } catch (InvalidProtocolBufferException e) {
      throw ServingException.invalidArgument(where + "cannot decode " + ADAPTER_TYPE + ": " + e.getMessage());
    }
    List<String> refused = unsupported(adapter);
    if (!refused.isEmpty()) {
      throw ServingException.invalidArgument(where + "this server cannot apply " + String.join("; ", refused));
    }
    return adapter.getLegacyConfig();
  }

  /** The settings of {@code adapter} that Tessera has no implementation for (empty: all applicable). */
  static List<String> unsupported(SavedModelBundleSourceAdapterConfig adapter) {
    List<String> refused = new ArrayList<>();
    if (!adapter.getUnknownFields().asMap().isEmpty()) {
      refused.add("fields " + adapter.getUnknownFields().asMap().keySet() + " of " + ADAPTER_TYPE);
    }
    SessionBundleConfig c = adapter.getLegacyConfig();
    if (!c.getUnknownFields().asMap().isEmpty()) {
      refused.add("SessionBundleConfig fields " + c.getUnknownFields().asMap().keySet()
          + " (e.g. in_graph_batching_parameters = 7)");
    }
    refuseIf(refused, !c.getSessionTarget().isEmpty(), "session_target (remote TensorFlow sessions)");
    refuseIf(refused, c.hasSessionRunLoadThreadpoolIndex(), "session_run_load_threadpool_index");
    refuseIf(refused, c.getExperimentalFixedInputTensorsCount() > 0, "experimental_fixed_input_tensors");
    refuseIf(refused, c.getEnableSessionMetadata(), "enable_session_metadata");
    refuseIf(refused, c.getPreferTfliteModel(), "prefer_tflite_model (TensorFlow Lite)");
    refuseIf(refused, c.getWrapSessionWithNoThreadingParams(), "wrap_session_with_no_threading_params");
    refuseIf(refused, c.getEnableSavedModelConfig(), "enable_saved_model_config");
    ModelWarmupOptions w = c.getModelWarmupOptions();
    refuseIf(refused, w.hasNumModelWarmupThreads() && w.getNumModelWarmupThreads().getValue() > 1,
        "model_warmup_options.num_model_warmup_threads > 1 (warmup replays on one thread)");
    refuseIf(refused, !w.getModelName().isEmpty() || w.getModelVersion() != 0,
        "model_warmup_options.model_name / model_version");
    refuseIf(refused, w.getEnableAllBatchSizesWarmup(), "model_warmup_options.enable_all_batch_sizes_warmup");
    return refused;
  }

  private static void refuseIf(List<String> refused, boolean set, String what) {
    if (set) {
      refused.add(what);
    }
  }
}
