package io.tessera.server;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.tessera.admission.MemoryBudget;
import io.tessera.config.ModelConfigs;
import io.tessera.config.TextOrJsonConfig;
import io.tessera.core.AspiredVersionPolicy;
import io.tessera.core.AspiredVersionsManager;
import io.tessera.core.Loader;
import io.tessera.core.ServableHandle;
import io.tessera.core.ServableId;
import io.tessera.core.ServableState;
import io.tessera.core.SourceAdapter;
import io.tessera.core.VersionStatus;
import io.tessera.grpc.GrpcServer;
import io.tessera.http.ExtraPages;
import io.tessera.http.RestApi;
import io.tessera.http.RestServer;
import io.tessera.metrics.BatchingMetrics;
import io.tessera.metrics.OperatorMetrics;
import io.tessera.metrics.ServingMetrics;
import io.tessera.nativebridge.BatchThreads;
import io.tessera.nativebridge.HostBuffer;
import io.tessera.nativebridge.SavedModelSession;
import io.tessera.proto.serving.config.ModelServerConfig;
import io.tessera.proto.serving.config.MonitoringConfig;
import io.tessera.requestlog.RequestLogger;
import io.tessera.servables.SavedModelBundle;
import io.tessera.servables.SessionOptions;
import io.tessera.servables.batching.BatchingReloader;
import io.tessera.server.health.ServingHealth;
import io.tessera.server.tls.TlsContexts;
import io.tessera.serving.ModelConfigController;
import io.tessera.serving.ServedModel;
import io.tessera.serving.ServerCore;
import io.tessera.sources.FileSystemStoragePathSource;
import io.tessera.sources.ModelStorages;
import io.tessera.sources.StoredVersion;
import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import io.tessera.v2.V2Settings;
import io.tessera.v2.grpc.InferenceService;
import io.tessera.v2.rest.V2RestApi;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Wires the serving pipeline (model config → Source over local or s3:// storage → loader that
 * fetches the version and loads the SavedModel with warmup → manager) and the two API listeners, TF Serving's start-up order: ports open only once every
 * configured model has an AVAILABLE version; a model that fails to load fails start-up. {@link #close()} stops listeners first,
 * then unloads models.
 */
public final class TesseraServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(TesseraServer.class.getName());

  /** Servables that may load at once at start-up (TF Serving's num_initial_load_threads: 4 x CPUs). */
  private static final int INITIAL_LOAD_THREADS = 4 * ServerFlags.CPUS;

  private final ServerOptions options;
  private AspiredVersionsManager<ServedModel> manager;
  private FileSystemStoragePathSource source;
  /** Base-path storages (local, s3://) and their download caches; closed after the manager. */
  private ModelStorages storages;
  private ModelConfigController configs;
  private ScheduledExecutorService configPoller;
  private GrpcServer grpc;
  private RestServer rest;
  private final ServingMetrics metrics = new ServingMetrics();
  private ServingHealth health;
  private HTTPServer metricsListener;
  /** How long each version's last successful load took, warmup included (tessera_model_load_seconds). */
  private final Map<ServableId, Double> loadSeconds = new ConcurrentHashMap<>();
  /** With --enable_batching: the batch threads all models' batching sessions share; else null. */
  private BatchThreads batchThreads;
  /** With --enable_batching: re-reads the batching parameters at each poll; else null. */
  private BatchingReloader batchingReloader;
  private ScheduledExecutorService batchingPoller;

  private TesseraServer(ServerOptions options) {
    this.options = options;
  }

  /** Starts everything or throws (after cleaning up what was started). */
  public static TesseraServer start(ServerOptions options) throws Exception {
    TesseraServer server = new TesseraServer(options);
    try {
      server.checkPorts();
      server.startModels();
      server.startListeners();
      return server;
    } catch (Exception | Error e) {
      server.close();
      throw e;
    }
  }

  /** Fails at once, naming the port, if a listener's port is taken (before minutes of loading). */
  private void checkPorts() {
    PortPreflight ports = new PortPreflight().add("--port", options.grpcBindAddress(), options.grpcPort());
    if (options.restPort() != options.grpcPort()) {
      ports.add("--rest_api_port", options.restBindAddress(), options.restPort());
    }
    if (options.ops().metricsAddress() != null) {
      HostAndPort at = HostAndPort.parse(options.ops().metricsAddress());
      ports.add("--metrics_address", at.host(), at.port());
    }
    ports.check();
  }

  private void startModels() throws InterruptedException {
    LOG.info("TensorFlow " + SavedModelSession.tensorflowVersion() + "; host tensor buffers: "
        + HostBuffer.allocatorName() + " (" + HostBuffer.allocatorReason() + ")");
    ModelServerConfig initial = options.modelConfigFile() != null
        ? ModelConfigs.readFile(options.modelConfigFile())
        : ModelConfigs.singleModel(options.modelName(), options.modelBasePath());
    ModelConfigs.entries(initial);  // validate before anything starts
    if (options.batching() != null) {
      int threads = options.batching().settings().numBatchThreads();
      batchThreads = BatchThreads.start(threads);
      LOG.info("Batching enabled: " + threads + " batch threads shared by all models ("
          + options.batching().source() + ")");
      startBatchingReloads();
    }
    manager = new AspiredVersionsManager<>(
        new AspiredVersionsManager.Options(options.maxLoadRetries(), options.loadRetryInterval(),
            INITIAL_LOAD_THREADS, options.lifecycle().numUnloadThreads()),
        AspiredVersionPolicy.AVAILABILITY_PRESERVING);
    metrics.operators().exportBuildInfo(Main.VERSION, SavedModelSession.tensorflowVersion());
    metrics.operators().exportModelVersions(this::versionSamples);
    SessionOptions session = options.sessionOptions();
    LOG.info("Sessions: tags " + session.tags() + ", intra_op_parallelism_threads "
        + session.config().getIntraOpParallelismThreads() + ", inter_op_parallelism_threads "
        + session.config().getInterOpParallelismThreads() + " (0 = TensorFlow's default)");
    if (!options.enableWarmup()) {
      LOG.info("Model warmup is disabled (--enable_model_warmup=false)");
    }
    VersionLoader loader = new VersionLoader(options, session, metrics, batchThreads, batchingReloader,
        id -> configs.requestLogFor(id), loadSeconds);
    SourceAdapter<StoredVersion, Loader<ServedModel>> adapter = new SourceAdapter<>(
        (id, version) -> () -> loader.load(id, version), manager);
    storages = new ModelStorages(options.s3());
    source = new FileSystemStoragePathSource(List.of(), options.fileSystemPollWait(), adapter, storages);
    source.start();
    List<String> tags = List.copyOf(session.tags());
    configs = new ModelConfigController(manager, source, options.allowLabelsForUnavailable(),
        options.limits().reloadConfigMaxTime(), options.requestLog(),
        (id, settings) -> RequestLogger.open(id.name(), id.version(), settings, tags, metrics));
    configs.apply(initial, options.ops().startupTimeout());
    // The initial models are in; later loads use --num_load_threads (TF Serving's server core).
    manager.setLoadThreads(options.lifecycle().numLoadThreads());
    Duration configPoll = options.modelConfigPollWait();
    if (options.modelConfigFile() != null && !configPoll.isZero() && !configPoll.isNegative()) {
      configPoller = poller("tessera-config-poll");
      configPoller.scheduleWithFixedDelay(() -> configs.reloadIfChanged(options.modelConfigFile()),
          configPoll.toMillis(), configPoll.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Batching parameters are re-read at the config poll (--model_config_file_poll_wait_seconds, else
   * every --file_system_poll_wait_seconds) and applied to the live sessions without a restart.
   */
  private void startBatchingReloads() {
    batchingReloader = new BatchingReloader(options.batching(), options.batching().file());
    metrics.batching().watch(() -> batchingReloader.queues().stream()
        .map(q -> new BatchingMetrics.Queue(q.model(), q.version(), q.session())).toList());
    Duration poll = options.modelConfigPollWait().isZero() ? options.fileSystemPollWait() : options.modelConfigPollWait();
    if (poll.isZero() || poll.isNegative()) {
      return;
    }
    batchingPoller = poller("tessera-batching-poll");
    batchingPoller.scheduleWithFixedDelay(batchingReloader::poll, poll.toMillis(), poll.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  private static ScheduledExecutorService poller(String threadName) {
    return Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, threadName);
      t.setDaemon(true);
      return t;
    });
  }

  /** Every model version the manager knows, for the per-version gauges (read at scrape time). */
  private List<OperatorMetrics.VersionSample> versionSamples() {
    List<OperatorMetrics.VersionSample> samples = new ArrayList<>();
    Set<ServableId> known = new HashSet<>();
    for (String model : manager.monitor().modelNames()) {
      for (VersionStatus v : manager.monitor().versions(model)) {
        ServableId id = new ServableId(model, v.version());
        known.add(id);
        samples.add(new OperatorMetrics.VersionSample(model, v.version(), v.state().name(),
            loadSeconds.getOrDefault(id, Double.NaN),
            v.state() == ServableState.AVAILABLE ? queuedTasks(model, v.version()) : -1));
      }
    }
    loadSeconds.keySet().retainAll(known);  // versions gone from the status list
    return samples;
  }

  /** Tasks in a batched version's queues, or -1 (not batched, or no longer loaded). */
  private long queuedTasks(String model, long version) {
    try (ServableHandle<ServedModel> handle = manager.acquire(model, version)) {
      return handle.servable().servable() instanceof SavedModelBundle bundle && bundle.batching() != null
          ? bundle.batching().pendingTasks() : -1;
    } catch (RuntimeException unloadedMeanwhile) {
      return -1;
    }
  }

  private void startListeners() throws Exception {
    OperationsOptions ops = options.ops();
    MemoryBudget.install(new MemoryBudget(options.limits().maxInflightRequestBytes()));
    LOG.info("Requests in flight may hold up to " + options.limits().maxInflightRequestBytes()
        + " bytes (--max_inflight_request_bytes)");
    ServerCore core = new ServerCore(manager, configs, metrics, options.checkMethodNames());
    // TF Serving's --ssl_config_file is gRPC's alone; REST and metrics TLS are opt-in (own flags).
    TlsContexts tls = tls(ops.sslConfigFile());
    TlsContexts restTls = tls(ops.restSslConfigFile());
    TlsContexts metricsTls = tls(ops.metricsSslConfigFile());
    if (metricsTls != null && ops.metricsAddress() == null) {
      LOG.warning("--metrics_ssl_config_file has no effect without --enable_metrics");
    }
    health = new ServingHealth(core::allModelsAvailable, 500);
    // The Open Inference Protocol (KServe v2) beside TF Serving's APIs, on the same ports and pipeline.
    V2Settings v2 = new V2Settings(options.restTimeoutMs(), options.limits().reloadConfigMaxTime(),
        ops.repositoryControl(), options.limits().reloadConfigRpc());
    grpc = new GrpcServer(core, new GrpcServer.Options(options.grpcBindAddress(), options.grpcPort(),
        options.grpcMaxThreads(), options.tensorContentOutputs(), tls == null ? null : tls.grpc(),
        ops.grpcHealth() ? health.grpcService() : null, ops.grpcSocketPath(), ops.grpcChannelArguments(),
        ops.inlineRunMaxMicros(), options.limits(), ops.grpcReflection(), List.of(new InferenceService(core, v2))))
        .start();
    if (options.restPort() != 0 && options.restPort() == options.grpcPort()) {
      LOG.severe("--rest_api_port cannot be the same as --port. Please use a different port for "
          + "HTTP/REST API. Skipped exporting HTTP/REST API.");
    } else if (options.restPort() != 0 || options.restEphemeral()) {
      rest = new RestServer(new RestApi(core.pipeline(), options.restTimeoutMs()), new RestServer.Options(
          options.restBindAddress(), options.restPort(), options.restThreads(),
          options.restMaxBodyBytes(), options.corsEnabled(), restTls == null ? null : restTls.rest(),
          new ExtraPages(core, metricsPaths(ops), health::ready), ops.inlineRunMaxMicros(), options.limits(),
          new V2RestApi(core, v2)));
      try {
        rest.start();
      } catch (Exception e) {  // Netty's BindException names no port; taken since the preflight
        throw e instanceof java.net.BindException ? new ServingException(StatusCode.UNAVAILABLE, "Cannot listen on "
            + options.restBindAddress() + ":" + options.restPort() + " (--rest_api_port): " + e.getMessage()) : e;
      }
    }
    if (ops.metricsAddress() != null) {
      HostAndPort at = HostAndPort.parse(ops.metricsAddress());
      HTTPServer.Builder builder = HTTPServer.builder().hostname(at.host()).port(at.port())
          .registry(metrics.registry());
      if (metricsTls != null) {
        builder.httpsConfigurator(metricsTls.https());
      }
      metricsListener = builder.buildAndStart();
      LOG.info("Exporting Prometheus metrics at " + (metricsTls == null ? "http://" : "https://") + at.host()
          + ":" + metricsListener.getPort() + "/metrics");
    }
  }

  private static TlsContexts tls(Path sslConfigFile) {
    return sslConfigFile == null ? null : TlsContexts.fromFile(sslConfigFile);
  }

  /** The Prometheus paths on the REST port: --monitoring_config_file's and --metrics_path. */
  private static Set<String> metricsPaths(OperationsOptions ops) {
    Set<String> paths = new TreeSet<>();
    String monitoring = monitoringPath(ops);
    if (monitoring != null) {
      paths.add(monitoring);
    }
    if (ops.metricsPath() != null) {
      paths.add(ops.metricsPath());
    }
    return paths;
  }

  /** The Prometheus path on the REST port from --monitoring_config_file, or null when off. */
  private static String monitoringPath(OperationsOptions ops) {
    if (ops.monitoringConfigFile() == null) {
      return null;
    }
    MonitoringConfig config = TextOrJsonConfig.parse(ops.monitoringConfigFile(), MonitoringConfig.newBuilder());
    if (!config.getPrometheusConfig().getEnable()) {
      return null;
    }
    String path = config.getPrometheusConfig().getPath();
    return path.isEmpty() ? "/monitoring/prometheus/metrics" : path;
  }

  /** Port of the --enable_metrics listener, or -1. */
  public int metricsPort() {
    return metricsListener == null ? -1 : metricsListener.getPort();
  }

  public int grpcPort() {
    return grpc.port();
  }

  /** The REST port, or -1 when REST is off. */
  public int restPort() {
    return rest == null ? -1 : rest.port();
  }

  /**
   * SIGTERM: readiness turns 503 (gRPC health NOT_SERVING) while both listeners keep serving for
   * --shutdown_delay_seconds, so endpoints and load balancers drop this pod first; then
   * {@link #close()} drains what was received and unloads the models.
   */
  public void shutdownGracefully() throws InterruptedException {
    Duration delay = options.ops().shutdownDelay();
    if (health != null && !delay.isZero()) {
      health.enterShutdown();
      LOG.info("Readiness is now 503; serving for " + delay.toSeconds()
          + " s more (--shutdown_delay_seconds) before the listeners close");
      Thread.sleep(delay.toMillis());
      LOG.info("Shutdown delay over: closing the listeners and draining in-flight requests");
    }
    close();
  }

  @Override
  public void close() {
    if (health != null) {
      health.enterShutdown();
    }
    if (metricsListener != null) {
      metricsListener.close();
    }
    if (rest != null) {
      rest.close();
    }
    if (grpc != null) {
      grpc.close();
    }
    if (configPoller != null) {
      configPoller.shutdownNow();
    }
    if (batchingPoller != null) {
      batchingPoller.shutdownNow();
    }
    if (source != null) {
      source.close();
    }
    if (manager != null) {
      manager.close();
    }
    if (storages != null) {
      storages.close();
    }
    if (batchThreads != null) {
      batchThreads.close();  // sessions still loaded keep the threads until they close
    }
    if (health != null) {
      health.close();
    }
  }
}
