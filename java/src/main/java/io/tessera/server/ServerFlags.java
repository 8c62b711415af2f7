package io.tessera.server;

import io.tessera.admission.Limits;
import io.tessera.requestlog.RequestLogSettings;
import io.tessera.server.Flag.Type;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * TF Serving's 48 {@code tensorflow_model_server} flags with its defaults, plus Tessera's own
 * (marked). Defaults that depend on the machine ("4 x CPUs") are resolved at parse time.
 */
public final class ServerFlags {
  private ServerFlags() {}

  static final int CPUS = Runtime.getRuntime().availableProcessors();
  /** --model_cache_dir's default. */
  public static final String DEFAULT_MODEL_CACHE_DIR = "/tmp/tessera-model-cache";

  public static final List<Flag> ALL = List.of(
      Flag.of("port", Type.INT32, "8500", "Port to listen on for gRPC API"),
      Flag.of("grpc_socket_path", Type.STRING, "", "If non-empty, listen to a UNIX socket for gRPC API on the given path"),
      Flag.of("rest_api_port", Type.INT32, "0", "Port to listen on for HTTP/REST API. If 0, the API is not exported. Must differ from --port."),
      Flag.of("rest_api_num_threads", Type.INT32, Integer.toString(4 * CPUS), "Number of threads for HTTP/REST API processing"),
      Flag.of("rest_api_timeout_in_ms", Type.INT32, "30000", "Timeout for HTTP/REST API calls"),
      Flag.of("rest_api_enable_cors_support", Type.BOOL, "false", "Enable CORS headers in the REST API responses"),
      Flag.of("enable_batching", Type.BOOL, "false", "enable batching"),
      Flag.of("allow_version_labels_for_unavailable_models", Type.BOOL, "false", "allow assigning labels to versions that are not yet AVAILABLE"),
      Flag.of("batching_parameters_file", Type.STRING, "", "BatchingParameters text proto file"),
      Flag.of("enable_per_model_batching_parameters", Type.BOOL, "false", "read batching_params.pbtxt from each SavedModel version directory"),
      Flag.of("model_config_file", Type.STRING, "", "ModelServerConfig text proto file; overrides --model_name and --model_base_path"),
      Flag.of("model_config_file_poll_wait_seconds", Type.INT32, "0", "Re-read --model_config_file every N seconds (0 = once)"),
      Flag.of("model_name", Type.STRING, "default", "name of model (ignored if --model_config_file is set)"),
      Flag.of("model_base_path", Type.STRING, "", "path to export (ignored if --model_config_file is set)"),
      Flag.of("num_load_threads", Type.INT32, "0", "threads loading servable versions after the initial load "
          + "(which uses 4 x CPUs); 0 = one at a time on the manager thread"),
      Flag.of("num_unload_threads", Type.INT32, "0", "threads freeing unloaded servable versions once no request "
          + "holds them; 0 = on the manager thread (or on the last request's as it finishes)"),
      Flag.of("max_num_load_retries", Type.INT32, "5", "retries after a failed load"),
      Flag.of("load_retry_interval_micros", Type.INT64, "60000000", "wait between load retries, in microseconds"),
      Flag.of("file_system_poll_wait_seconds", Type.INT32, "1", "interval between polls of the model base path for new versions; 0 polls once"),
      Flag.ignored("flush_filesystem_caches", Type.BOOL, "true", "flush filesystem caches after loading",
          "TensorFlow keeps file-system caches only for remote file systems (e.g. GCS); Tessera reads models from "
              + "local paths, where TensorFlow's flush does nothing"),
      Flag.of("tensorflow_session_parallelism", Type.INT64, "0", "threads for both TensorFlow pools; 0 = auto"),
      Flag.of("tensorflow_session_config_file", Type.STRING, "", "TensorFlow ConfigProto text proto file for sessions"),
      Flag.of("tensorflow_intra_op_parallelism", Type.INT64, "0", "intra-op threads; 0 = auto"),
      Flag.of("tensorflow_inter_op_parallelism", Type.INT64, "0", "inter-op threads; 0 = auto"),
      Flag.of("use_alts_credentials", Type.BOOL, "false", "use Google ALTS credentials; true fails start-up "
          + "(Tessera has no ALTS; use --ssl_config_file)"),
      Flag.of("ssl_config_file", Type.STRING, "", "SSLConfig text proto file (TLS on the gRPC port only, as TF Serving; REST stays plain HTTP)"),
      Flag.of("platform_config_file", Type.STRING, "", "PlatformConfigMap text proto file (platform \"tensorflow\", "
          + "SavedModelBundleSourceAdapterConfig); replaces the batching, session, tag, warmup and metagraph flags; "
          + "a setting Tessera cannot apply fails start-up"),
      Flag.of("per_process_gpu_memory_fraction", Type.FLOAT, "0", "fraction of GPU memory per process; 0 = TensorFlow default"),
      Flag.of("saved_model_tags", Type.STRING, "serve", "comma-separated MetaGraph tags"),
      Flag.of("grpc_channel_arguments", Type.STRING, "", "comma-separated key=value gRPC server arguments"),
      Flag.of("grpc_max_threads", Type.INT32, Integer.toString(4 * CPUS), "max threads serving gRPC calls"),
      Flag.of("enable_model_warmup", Type.BOOL, "true", "replay assets.extra/tf_serving_warmup_requests at load"),
      Flag.of("num_request_iterations_for_warmup", Type.INT32, "0", "times each warmup record is replayed (0 = 1)"),
      Flag.of("version", Type.BOOL, "false", "print the version and exit"),
      Flag.of("monitoring_config_file", Type.STRING, "", "MonitoringConfig text proto file (Prometheus)"),
      Flag.of("remove_unused_fields_from_bundle_metagraph", Type.BOOL, "true",
          "after load keep only the SignatureDefs of the MetaGraphDef (false keeps all of it, graph included)"),
      Flag.of("prefer_tflite_model", Type.BOOL, "false", "TensorFlow Lite models; true fails start-up (not supported)"),
      Flag.ignored("num_tflite_pools", Type.INT32, Integer.toString(CPUS), "TFLite interpreter pools",
          "used only with --prefer_tflite_model, which Tessera refuses"),
      Flag.ignored("num_tflite_interpreters_per_pool", Type.INT32, "1", "TFLite interpreters per pool",
          "used only with --prefer_tflite_model, which Tessera refuses"),
      Flag.of("enable_signature_method_name_check", Type.BOOL, "false", "enforce SignatureDef method names"),
      Flag.of("xla_cpu_compilation_enabled", Type.BOOL, "false",
          "XLA:CPU JIT: auto-cluster and compile graphs (ConfigProto global_jit_level=ON_1, cpu_global_jit)"),
      Flag.ignored("xla_gpu_compilation_enabled", Type.BOOL, "false", "XLA:CPU and XLA:GPU JIT",
          "as --xla_cpu_compilation_enabled"),
      Flag.ignored("enable_profiler", Type.BOOL, "true", "TensorFlow profiler gRPC service",
          "Tessera has no profiler service (a profiler client gets UNIMPLEMENTED); serving is unaffected"),
      Flag.of("thread_pool_factory_config_file", Type.STRING, "",
          "ThreadPoolFactoryConfig text proto file; a non-empty value fails start-up (not supported)"),
      Flag.of("mixed_precision", Type.STRING, "",
          "bfloat16 = Grappler's oneDNN bfloat16 auto mixed precision, on CPUs with avx512_bf16 or amx_bf16; "
              + "other values are warned about and ignored, as TF Serving does"),
      Flag.ignored("skip_initialize_tpu", Type.BOOL, "false", "skip TPU initialisation",
          "TF Serving reads it only in TPU builds; Tessera has no TPU support"),
      Flag.of("enable_grpc_healthcheck_service", Type.BOOL, "false", "register grpc.health.v1.Health"),
      Flag.of("enable_serialization_as_tensor_content", Type.BOOL, "false", "serialize predict outputs as tensor_content"),
      // Tessera's own flags.
      Flag.of("rest_api_bind_address", Type.STRING, "0.0.0.0", "[Tessera] address the REST listener binds"),
      Flag.of("grpc_bind_address", Type.STRING, "0.0.0.0", "[Tessera] address the gRPC listener binds"),
      Flag.of("grpc_api_port", Type.INT32, "0", "[Tessera] alias of --port (the deployment guide's spelling); 0 = use --port"),
      Flag.of("enable_metrics", Type.BOOL, "false", "[Tessera] serve Prometheus metrics on their own listener (--metrics_address)"),
      Flag.of("metrics_address", Type.STRING, "0.0.0.0:8502", "[Tessera] HOST:PORT of the --enable_metrics listener (path /metrics)"),
      Flag.of("metrics_path", Type.STRING, "",
          "[Tessera] also serve the Prometheus page on the REST port at this path, as --monitoring_config_file's "
              + "prometheus_config does but without a file (KServe scrapes /metrics on the REST port); empty = off"),
      Flag.of("startup_timeout_seconds", Type.INT32, "0",
          "[Tessera] fail start-up (exit 255, naming each model and what it waits for) when the models are not "
              + "AVAILABLE within this long; 0 = wait as long as it takes, as TF Serving does"),
      Flag.of("shutdown_delay_seconds", Type.INT32, "0",
          "[Tessera] on SIGTERM, answer /readyz with 503 (and gRPC health NOT_SERVING) for this long while still "
              + "serving, so load balancers drop the pod before its listeners close; then drain and exit"),
      Flag.of("enable_grpc_reflection", Type.BOOL, "false",
          "[Tessera] serve grpc.reflection.v1 (and v1alpha) on the gRPC port, so grpcurl works without .proto files"),
      Flag.of("rest_api_ssl_config_file", Type.STRING, "",
          "[Tessera] SSLConfig file (text or JSON, as --ssl_config_file) that puts the REST port on TLS; empty = plain HTTP"),
      Flag.of("metrics_ssl_config_file", Type.STRING, "",
          "[Tessera] SSLConfig file (text or JSON) that puts the --enable_metrics listener on TLS; empty = plain HTTP. "
              + "Independent of --rest_api_ssl_config_file (may name the same file)"),
      Flag.of("model_cache_dir", Type.STRING, DEFAULT_MODEL_CACHE_DIR,
          "[Tessera] local directory that versions of s3:// base paths are downloaded into (one per server process); "
              + "unloaded versions are removed from it"),
      Flag.of("rest_api_max_body_bytes", Type.INT32, Integer.toString(256 << 20), "[Tessera] largest accepted REST request body"),
      Flag.of("inline_run_max_micros", Type.INT64, Long.toString(OperationsOptions.DEFAULT_INLINE_RUN_MAX_MICROS),
          "[Tessera] REST requests (up to 16 KiB) and gRPC calls to models whose recent requests averaged at most this "
              + "long are answered on the I/O thread, without a hand-off to a worker and back; 0 = never"),
      // Tessera's limits (io.tessera.admission.Limits; README "Limits and hardening").
      Flag.of("max_inflight_request_bytes", Type.INT64, "0",
          "[Tessera] budget of bytes held by requests in flight (bodies, tensors, images); over it requests get "
              + "RESOURCE_EXHAUSTED / HTTP 429. 0 = half of the JVM's maximum heap or direct memory, whichever is smaller, at least 64 MiB"),
      Flag.of("rest_api_max_connections", Type.INT32, Integer.toString(Limits.DEFAULT_REST_MAX_CONNECTIONS),
          "[Tessera] most open REST connections; more are answered 503 and closed"),
      Flag.of("rest_api_idle_timeout_seconds", Type.INT32, Integer.toString(Limits.DEFAULT_REST_IDLE_TIMEOUT_SECONDS),
          "[Tessera] close a REST connection idle (no request in progress, no bytes) this long; 0 = never"),
      Flag.of("rest_api_request_read_timeout_seconds", Type.INT32,
          Integer.toString(Limits.DEFAULT_REST_REQUEST_READ_TIMEOUT_SECONDS),
          "[Tessera] a REST request must arrive completely within this long of its first byte (408 otherwise); 0 = no limit"),
      Flag.of("rest_api_write_timeout_seconds", Type.INT32, Integer.toString(Limits.DEFAULT_REST_WRITE_TIMEOUT_SECONDS),
          "[Tessera] close a REST connection whose client has not read its response after this long; 0 = never"),
      Flag.of("grpc_max_metadata_bytes", Type.INT32, Integer.toString(Limits.DEFAULT_GRPC_MAX_METADATA_BYTES),
          "[Tessera] largest inbound gRPC metadata (headers) per call"),
      Flag.of("grpc_max_concurrent_calls_per_connection", Type.INT32,
          Integer.toString(Limits.DEFAULT_GRPC_MAX_CONCURRENT_CALLS_PER_CONNECTION),
          "[Tessera] most concurrent gRPC calls (HTTP/2 streams) on one connection"),
      Flag.of("grpc_keepalive_time_seconds", Type.INT32, Integer.toString(Limits.DEFAULT_GRPC_KEEPALIVE_TIME_SECONDS),
          "[Tessera] ping a gRPC connection idle this long"),
      Flag.of("grpc_keepalive_timeout_seconds", Type.INT32, Integer.toString(Limits.DEFAULT_GRPC_KEEPALIVE_TIMEOUT_SECONDS),
          "[Tessera] close a gRPC connection whose ping is not answered within this long"),
      Flag.of("grpc_max_connection_idle_seconds", Type.INT32, "0",
          "[Tessera] close a gRPC connection without calls for this long; 0 = never"),
      Flag.of("grpc_max_connection_age_seconds", Type.INT32, "0",
          "[Tessera] gracefully close gRPC connections after this long (rebalances clients); 0 = never"),
      Flag.of("grpc_max_connection_age_grace_seconds", Type.INT32, "0",
          "[Tessera] time in-flight calls get after --grpc_max_connection_age; 0 = unlimited"),
      Flag.of("request_log_max_file_bytes", Type.INT64, Long.toString(RequestLogSettings.DEFAULT_MAX_FILE_BYTES),
          "[Tessera] a logging_config \"file\" collector starts a new TFRecord file before one would pass this size"),
      Flag.of("log_task", Type.STRING, "",
          "[Tessera] this server's dc/index (or dc, or /index), matched against logging_config's per_task_sampling_configs"),
      Flag.of("synthesize_warmup_requests", Type.INT32, "0",
          "[Tessera] with --enable_model_warmup: a version without a warmup file first runs this many requests built "
              + "from its SignatureDef (zeros, unknown dimensions 1; image models: a generated image); 0 = off"),
      Flag.of("enable_reload_config_rpc", Type.BOOL, "true",
          "[Tessera] serve ModelService/HandleReloadConfigRequest (false: UNIMPLEMENTED)"),
      Flag.of("enable_model_repository_control", Type.BOOL, "false",
          "[Tessera] serve the Open Inference Protocol's model load and unload (POST /v2/repository/models/m/"
              + "load|unload, gRPC RepositoryModelLoad/Unload; needs --enable_reload_config_rpc; false: "
              + "UNIMPLEMENTED; the repository index is always served)"),
      Flag.of("reload_config_max_seconds", Type.INT32, Integer.toString(Limits.DEFAULT_RELOAD_CONFIG_MAX_SECONDS),
          "[Tessera] longest a config reload (HandleReloadConfigRequest, or a --model_config_file poll) "
              + "waits for the config lock and its models; an RPC's deadline ends it sooner; 0 = no server bound"));

  static Map<String, Flag> byName() {
    Map<String, Flag> map = new LinkedHashMap<>();
    for (Flag f : ALL) {
      map.put(f.name(), f);
    }
    return map;
  }
}
