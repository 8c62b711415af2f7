package io.tessera.server;

import io.tessera.config.PlatformConfigs;
import io.tessera.config.TextOrJsonConfig;
import io.tessera.proto.serving.config.BatchingParameters;
import io.tessera.proto.serving.config.SessionBundleConfig;
import io.tessera.proto.tf.ConfigProto;
import io.tessera.servables.AccelerationFlags;
import io.tessera.servables.SessionOptions;
import io.tessera.servables.batching.BatchingOptions;
import io.tessera.status.ServingException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * How each model version is loaded: TF Serving's SessionBundleConfig, taken (as model_servers/
 * server.cc does) either from --platform_config_file, which then replaces every flag below, or
 * from the flags --enable_batching, --batching_parameters_file, --enable_per_model_batching_parameters,
 * --tensorflow_session_config_file, --per_process_gpu_memory_fraction, the parallelism flags,
 * --saved_model_tags, --enable_model_warmup, --num_request_iterations_for_warmup,
 * --remove_unused_fields_from_bundle_metagraph, --prefer_tflite_model and --mixed_precision.
 *
 * @param batching null when batching is off
 * @param perModelBatching only versions with their own batching_params.pbtxt are batched
 * @param removeUnusedMetaGraphFields keep only the SignatureDefs of a loaded MetaGraphDef
 * @param source where the settings came from (for logs)
 */
record ModelLoadSettings(SessionOptions session, BatchingOptions batching, boolean perModelBatching,
    boolean enableWarmup, int warmupIterations, boolean removeUnusedMetaGraphFields, String source) {
  private static final Logger LOG = Logger.getLogger(ModelLoadSettings.class.getName());

  /** The flags that --platform_config_file replaces (TF Serving ignores them when it is set). */
  static final List<String> REPLACED_BY_PLATFORM_CONFIG = List.of("enable_batching", "batching_parameters_file",
      "enable_per_model_batching_parameters", "tensorflow_session_config_file", "per_process_gpu_memory_fraction",
      "tensorflow_session_parallelism", "tensorflow_intra_op_parallelism", "tensorflow_inter_op_parallelism",
      "saved_model_tags", "enable_model_warmup", "num_request_iterations_for_warmup",
      "remove_unused_fields_from_bundle_metagraph", "prefer_tflite_model", "num_tflite_pools",
      "num_tflite_interpreters_per_pool", "mixed_precision");

  static ModelLoadSettings fromFlags(FlagParser.Result f) {
    String platformFile = f.get("platform_config_file");
    if (!platformFile.isEmpty()) {
      warnReplacedFlags(f);
      Path file = Path.of(platformFile).toAbsolutePath().normalize();
      return of(PlatformConfigs.read(file), "--platform_config_file " + file);
    }
    if (f.getBool("prefer_tflite_model")) {
      throw ServingException.invalidArgument("--prefer_tflite_model=true is not supported: this server "
          + "loads TensorFlow SavedModels only, not TensorFlow Lite models");
    }
    SessionOptions session = SessionOptions.fromFlags(f.get("saved_model_tags"),
        f.getLong("tensorflow_session_parallelism"), f.getLong("tensorflow_intra_op_parallelism"),
        f.getLong("tensorflow_inter_op_parallelism"),
        accelerated(baseSessionConfig(f), f.getBool("xla_cpu_compilation_enabled"), f.get("mixed_precision")));
    BatchingOptions batching = batchingOptions(f);
    return new ModelLoadSettings(session, batching,
        batching != null && f.getBool("enable_per_model_batching_parameters"),
        f.getBool("enable_model_warmup"), f.getInt("num_request_iterations_for_warmup"),
        f.getBool("remove_unused_fields_from_bundle_metagraph"), "flags");
  }

  /** Applies a (checked) SessionBundleConfig as TF Serving's SavedModelBundleFactory does. */
  static ModelLoadSettings of(SessionBundleConfig c, String source) {
    List<String> tags = c.getSavedModelTagsList().isEmpty() ? List.of("serve") : c.getSavedModelTagsList();
    BatchingOptions batching = c.hasBatchingParameters()
        ? BatchingOptions.of(c.getBatchingParameters(), source) : null;
    int iterations = c.getModelWarmupOptions().hasNumRequestIterations()
        ? c.getModelWarmupOptions().getNumRequestIterations().getValue() : 0;
    return new ModelLoadSettings(new SessionOptions(tags, accelerated(c.getSessionConfig(), false,
        c.getMixedPrecision())), batching,
        batching != null && c.getEnablePerModelBatchingParams(), c.getEnableModelWarmup(), iterations,
        c.getRemoveUnusedFieldsFromBundleMetagraph(), source);
  }

  private static void warnReplacedFlags(FlagParser.Result f) {
    FlagParser.Result defaults = FlagParser.parse(ServerFlags.ALL, new String[0]);
    List<String> set = new ArrayList<>();
    for (String name : REPLACED_BY_PLATFORM_CONFIG) {
      if (!f.get(name).equals(defaults.get(name))) {
        set.add("--" + name);
      }
    }
    if (!set.isEmpty()) {
      LOG.warning("--platform_config_file is set, so TF Serving ignores " + String.join(", ", set)
          + " and so does this server; the file's SessionBundleConfig applies instead");
    }
  }

  /**
   * --xla_cpu_compilation_enabled and the mixed_precision mode applied to a session config
   * ({@link AccelerationFlags}; unknown modes warned about and ignored, as TF Serving does), logged.
   */
  private static ConfigProto accelerated(ConfigProto config, boolean xlaCpu, String mixedPrecision) {
    AccelerationFlags.Applied applied = AccelerationFlags.apply(config, xlaCpu, mixedPrecision,
        !mixedPrecision.isEmpty() && AccelerationFlags.cpuHasBfloat16());
    applied.info().forEach(LOG::info);
    applied.warnings().forEach(LOG::warning);
    return applied.config();
  }

  /** --enable_batching with --batching_parameters_file (text or JSON); null when batching is off. */
  private static BatchingOptions batchingOptions(FlagParser.Result f) {
    String file = f.get("batching_parameters_file");
    if (!f.getBool("enable_batching")) {
      if (!file.isEmpty()) {
        throw ServingException.invalidArgument("--batching_parameters_file is set without --enable_batching");
      }
      return null;
    }
    return file.isEmpty()
        ? BatchingOptions.of(BatchingParameters.getDefaultInstance(), BatchingOptions.DEFAULTS)
        : BatchingOptions.fromFile(Path.of(file));
  }

  /** --tensorflow_session_config_file (text or JSON ConfigProto) with --per_process_gpu_memory_fraction applied. */
  private static ConfigProto baseSessionConfig(FlagParser.Result f) {
    ConfigProto.Builder config = ConfigProto.newBuilder();
    String file = f.get("tensorflow_session_config_file");
    if (!file.isEmpty()) {
      config.mergeFrom((ConfigProto) TextOrJsonConfig.parse(Path.of(file), ConfigProto.newBuilder()));
    }
    float fraction = f.getFloat("per_process_gpu_memory_fraction");
    if (fraction > 0) {
      config.getGpuOptionsBuilder().setPerProcessGpuMemoryFraction(fraction);
    }
    return config.build();
  }
}
