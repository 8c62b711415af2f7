package io.tessera.server;

import io.tessera.admission.Limits;
import io.tessera.admission.MemoryBudget;
import io.tessera.config.TextOrJsonConfig;
import io.tessera.proto.tf.ConfigProto;
import io.tessera.servables.AccelerationFlags;
import io.tessera.servables.SessionOptions;
import io.tessera.servables.batching.BatchingOptions;
import io.tessera.status.ServingException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.logging.Logger;

/**
 * Validated server settings derived from the command line. {@code restEphemeral} (tests only)
 * opens REST on an ephemeral port even though a port of 0 normally means "REST off".
 * {@code modelConfigFile} null means the single model --model_name/--model_base_path; a zero
 * poll wait means "read once".
 */
public record ServerOptions(
    String modelName,
    Path modelBasePath,
    int grpcPort,
    String grpcBindAddress,
    int grpcMaxThreads,
    int restPort,
    boolean restEphemeral,
    String restBindAddress,
    int restThreads,
    long restTimeoutMs,
    int restMaxBodyBytes,
    boolean corsEnabled,
    boolean tensorContentOutputs,
    int maxLoadRetries,
    Duration loadRetryInterval,
    Duration fileSystemPollWait,
    SessionOptions sessionOptions,
    Path modelConfigFile,
    Duration modelConfigPollWait,
    boolean allowLabelsForUnavailable,
    boolean enableWarmup,
    int warmupIterations,
    OperationsOptions ops,
    boolean checkMethodNames,
    BatchingOptions batching,
    boolean perModelBatching,
    Limits limits) {
  private static final Logger LOG = Logger.getLogger(ServerOptions.class.getName());


  /** Builds options from parsed flags, applying TF Serving's start-up checks. */
  public static ServerOptions fromFlags(FlagParser.Result f) {
    String configFile = f.get("model_config_file");
    if (configFile.isEmpty() && f.get("model_base_path").isEmpty()) {
      throw ServingException.invalidArgument(
          "Both server_options.model_base_path and server_options.model_config_file are empty!");
    }
    int grpcPort = f.getInt("grpc_api_port") != 0 ? f.getInt("grpc_api_port") : f.getInt("port");
    if (grpcPort == 0 && f.get("grpc_socket_path").isEmpty()) {
      throw ServingException.invalidArgument("server_options.grpc_port is not set and no "
          + "--grpc_socket_path was given");
    }
    AccelerationFlags.Applied accelerated = AccelerationFlags.apply(baseSessionConfig(f),
        f.getBool("xla_cpu_compilation_enabled"), f.get("mixed_precision"),
        !f.get("mixed_precision").isEmpty() && AccelerationFlags.cpuHasBfloat16());
    accelerated.info().forEach(LOG::info);
    accelerated.warnings().forEach(LOG::warning);
    SessionOptions session = SessionOptions.fromFlags(f.get("saved_model_tags"),
        f.getLong("tensorflow_session_parallelism"), f.getLong("tensorflow_intra_op_parallelism"),
        f.getLong("tensorflow_inter_op_parallelism"), accelerated.config());
    long retryMicros = f.getLong("load_retry_interval_micros");
    return new ServerOptions(
        f.get("model_name"),
        f.get("model_base_path").isEmpty() ? null : Path.of(f.get("model_base_path")).toAbsolutePath().normalize(),
        grpcPort,
        f.get("grpc_bind_address"),
        Math.max(1, f.getInt("grpc_max_threads")),
        f.getInt("rest_api_port"),
        false,
        f.get("rest_api_bind_address"),
        Math.max(1, f.getInt("rest_api_num_threads")),
        Math.max(0, f.getInt("rest_api_timeout_in_ms")),
        f.getInt("rest_api_max_body_bytes"),
        f.getBool("rest_api_enable_cors_support"),
        f.getBool("enable_serialization_as_tensor_content"),
        Math.max(0, f.getInt("max_num_load_retries")),
        Duration.ofNanos(Math.max(0, retryMicros) * 1000),
        Duration.ofSeconds(f.getInt("file_system_poll_wait_seconds")),
        session,
        configFile.isEmpty() ? null : Path.of(configFile).toAbsolutePath().normalize(),
        Duration.ofSeconds(f.getInt("model_config_file_poll_wait_seconds")),
        f.getBool("allow_version_labels_for_unavailable_models"),
        f.getBool("enable_model_warmup"),
        f.getInt("num_request_iterations_for_warmup"),
        OperationsOptions.fromFlags(f),
        f.getBool("enable_signature_method_name_check"),
        batchingOptions(f),
        f.getBool("enable_batching") && f.getBool("enable_per_model_batching_parameters"),
        limits(f));
  }

  /** The admission and transport limits (README "Limits and hardening"). */
  private static Limits limits(FlagParser.Result f) {
    long budget = f.getLong("max_inflight_request_bytes");
    if (budget < 0) {
      throw ServingException.invalidArgument("--max_inflight_request_bytes must be >= 0 (0 = automatic)");
    }
    return new Limits(
        budget == 0 ? MemoryBudget.autoLimit() : budget,
        Math.max(1, f.getInt("rest_api_max_connections")),
        seconds(f, "rest_api_idle_timeout_seconds"),
        seconds(f, "rest_api_request_read_timeout_seconds"),
        seconds(f, "rest_api_write_timeout_seconds"),
        Math.max(1024, f.getInt("grpc_max_metadata_bytes")),
        Math.max(1, f.getInt("grpc_max_concurrent_calls_per_connection")),
        seconds(f, "grpc_keepalive_time_seconds"),
        seconds(f, "grpc_keepalive_timeout_seconds"),
        seconds(f, "grpc_max_connection_idle_seconds"),
        seconds(f, "grpc_max_connection_age_seconds"),
        seconds(f, "grpc_max_connection_age_grace_seconds"),
        f.getBool("enable_reload_config_rpc"),
        seconds(f, "reload_config_max_seconds"));
  }

  private static Duration seconds(FlagParser.Result f, String flag) {
    return Duration.ofSeconds(Math.max(0, f.getInt(flag)));
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
        ? BatchingOptions.of(io.tessera.proto.serving.config.BatchingParameters.getDefaultInstance(), "defaults")
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

  /** A copy listening on ephemeral ports (tests). */
  public ServerOptions withEphemeralPorts() {
    return new ServerOptions(modelName, modelBasePath, 0, "127.0.0.1", grpcMaxThreads, 0, true,
        "127.0.0.1", restThreads, restTimeoutMs, restMaxBodyBytes, corsEnabled,
        tensorContentOutputs, maxLoadRetries, loadRetryInterval, fileSystemPollWait, sessionOptions,
        modelConfigFile, modelConfigPollWait, allowLabelsForUnavailable, enableWarmup, warmupIterations,
        ops, checkMethodNames, batching, perModelBatching, limits);
  }

  /** A copy with other poll periods (tests: sub-second polling). */
  public ServerOptions withPollWaits(Duration fileSystem, Duration modelConfig) {
    return new ServerOptions(modelName, modelBasePath, grpcPort, grpcBindAddress, grpcMaxThreads,
        restPort, restEphemeral, restBindAddress, restThreads, restTimeoutMs, restMaxBodyBytes,
        corsEnabled, tensorContentOutputs, maxLoadRetries, loadRetryInterval, fileSystem,
        sessionOptions, modelConfigFile, modelConfig, allowLabelsForUnavailable, enableWarmup,
        warmupIterations, ops, checkMethodNames, batching, perModelBatching, limits);
  }
}
