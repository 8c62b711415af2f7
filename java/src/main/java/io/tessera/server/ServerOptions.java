package io.tessera.server;

import io.tessera.admission.Limits;
import io.tessera.admission.MemoryBudget;
import io.tessera.config.ModelConfigs;
import io.tessera.requestlog.RequestLogSettings;
import io.tessera.servables.SessionOptions;
import io.tessera.servables.batching.BatchingOptions;
import io.tessera.sources.S3Settings;
import io.tessera.status.ServingException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Validated server settings derived from the command line. {@code restEphemeral} (tests only)
 * opens REST on an ephemeral port even though a port of 0 normally means "REST off".
 * {@code modelConfigFile} null means the single model --model_name/--model_base_path; a zero
 * poll wait means "read once". {@code requestLog} holds --log_task and
 * --request_log_max_file_bytes; {@code synthesizeWarmupRequests} is
 * --synthesize_warmup_requests (0 = off). {@code modelBasePath} is an absolute local path or a
 * URI (s3://bucket/prefix); {@code s3} says how s3:// is reached (environment variables) and
 * where its versions are downloaded (--model_cache_dir).
 */
public record ServerOptions(
    String modelName,
    String modelBasePath,
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
    Limits limits,
    LifecycleOptions lifecycle,
    RequestLogSettings.ServerOptions requestLog,
    int synthesizeWarmupRequests,
    S3Settings s3) {

  /**
   * @param numLoadThreads --num_load_threads: versions loading at once after the initial load (0 = one)
   * @param numUnloadThreads --num_unload_threads: threads freeing unloaded versions (0 = the manager's)
   * @param removeUnusedMetaGraphFields keep only the SignatureDefs of each loaded MetaGraphDef
   */
  public record LifecycleOptions(int numLoadThreads, int numUnloadThreads, boolean removeUnusedMetaGraphFields) {}

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
    refuseUnsupported(f);
    ModelLoadSettings load = ModelLoadSettings.fromFlags(f);
    long retryMicros = f.getLong("load_retry_interval_micros");
    return new ServerOptions(
        f.get("model_name"),
        f.get("model_base_path").isEmpty() ? null : ModelConfigs.absoluteBasePath(f.get("model_base_path")),
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
        load.session(),
        configFile.isEmpty() ? null : Path.of(configFile).toAbsolutePath().normalize(),
        Duration.ofSeconds(f.getInt("model_config_file_poll_wait_seconds")),
        f.getBool("allow_version_labels_for_unavailable_models"),
        load.enableWarmup(),
        load.warmupIterations(),
        OperationsOptions.fromFlags(f),
        f.getBool("enable_signature_method_name_check"),
        load.batching(),
        load.perModelBatching(),
        limits(f),
        new LifecycleOptions(nonNegative(f, "num_load_threads"), nonNegative(f, "num_unload_threads"),
            load.removeUnusedMetaGraphFields()),
        RequestLogSettings.ServerOptions.parse(f.get("log_task"), f.getLong("request_log_max_file_bytes")),
        Math.max(0, f.getInt("synthesize_warmup_requests")),
        S3Settings.fromEnvironment(System.getenv(), Path.of(f.get("model_cache_dir")).toAbsolutePath().normalize()));
  }

  /** Flags set to a value this server cannot honour: start-up fails rather than run differently. */
  private static void refuseUnsupported(FlagParser.Result f) {
    if (f.getBool("use_alts_credentials")) {
      if (!f.get("ssl_config_file").isEmpty()) {
        throw ServingException.invalidArgument(
            "Either use_alts_credentials must be false or ssl_config_file must be empty.");
      }
      throw ServingException.invalidArgument("--use_alts_credentials=true is not supported: this server has no "
          + "ALTS; use --ssl_config_file for TLS on the gRPC port");
    }
    if (!f.get("thread_pool_factory_config_file").isEmpty()) {
      throw ServingException.invalidArgument("--thread_pool_factory_config_file is not supported: this server "
          + "runs predictions on TensorFlow's session thread pools only");
    }
  }

  private static int nonNegative(FlagParser.Result f, String flag) {
    if (f.getInt(flag) < 0) {
      throw ServingException.invalidArgument("--" + flag + " must be >= 0");
    }
    return f.getInt(flag);
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

  /** A copy listening on ephemeral ports (tests). */
  public ServerOptions withEphemeralPorts() {
    return new ServerOptions(modelName, modelBasePath, 0, "127.0.0.1", grpcMaxThreads, 0, true,
        "127.0.0.1", restThreads, restTimeoutMs, restMaxBodyBytes, corsEnabled,
        tensorContentOutputs, maxLoadRetries, loadRetryInterval, fileSystemPollWait, sessionOptions,
        modelConfigFile, modelConfigPollWait, allowLabelsForUnavailable, enableWarmup, warmupIterations,
        ops, checkMethodNames, batching, perModelBatching, limits, lifecycle, requestLog,
        synthesizeWarmupRequests, s3);
  }

  /** A copy that reaches s3:// base paths with other settings (tests: a local S3 server). */
  public ServerOptions withS3(S3Settings settings) {
    return new ServerOptions(modelName, modelBasePath, grpcPort, grpcBindAddress, grpcMaxThreads,
        restPort, restEphemeral, restBindAddress, restThreads, restTimeoutMs, restMaxBodyBytes,
        corsEnabled, tensorContentOutputs, maxLoadRetries, loadRetryInterval, fileSystemPollWait,
        sessionOptions, modelConfigFile, modelConfigPollWait, allowLabelsForUnavailable, enableWarmup,
        warmupIterations, ops, checkMethodNames, batching, perModelBatching, limits, lifecycle,
        requestLog, synthesizeWarmupRequests, settings);
  }

  /** A copy with other poll periods (tests: sub-second polling). */
  public ServerOptions withPollWaits(Duration fileSystem, Duration modelConfig) {
    return new ServerOptions(modelName, modelBasePath, grpcPort, grpcBindAddress, grpcMaxThreads,
        restPort, restEphemeral, restBindAddress, restThreads, restTimeoutMs, restMaxBodyBytes,
        corsEnabled, tensorContentOutputs, maxLoadRetries, loadRetryInterval, fileSystem,
        sessionOptions, modelConfigFile, modelConfig, allowLabelsForUnavailable, enableWarmup,
        warmupIterations, ops, checkMethodNames, batching, perModelBatching, limits, lifecycle,
        requestLog, synthesizeWarmupRequests, s3);
  }
}
