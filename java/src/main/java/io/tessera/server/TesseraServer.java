package io.tessera.server;

import io.tessera.core.AspiredVersionPolicy;
import io.tessera.core.AspiredVersionsManager;
import io.tessera.core.Loader;
import io.tessera.config.ModelConfigs;
import io.tessera.core.SourceAdapter;
import io.tessera.grpc.GrpcServer;
import io.tessera.http.RestApi;
import io.tessera.http.RestServer;
import io.tessera.servables.SavedModelBundle;
import io.tessera.proto.serving.config.ModelServerConfig;
import io.tessera.servables.SessionOptions;
import io.tessera.servables.warmup.ModelWarmup;
import io.tessera.servables.warmup.PredictWarmupReplayer;
import io.tessera.sources.FileSystemStoragePathSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Wires the serving pipeline (model config → file-system Source → SavedModel adapter with warmup
 * → manager) and the two API listeners, TF Serving's start-up order: ports open only once every
 * configured model has an AVAILABLE version; a model that fails to load fails start-up. {@link #close()} stops listeners first,
 * then unloads models.
 */
public final class TesseraServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(TesseraServer.class.getName());

  /** Servables that may load at once (TF Serving's initial load threads: 4 x CPUs). */
  private static final int LOAD_THREADS = 4 * ServerFlags.CPUS;

  private final ServerOptions options;
  private AspiredVersionsManager<SavedModelBundle> manager;
  private FileSystemStoragePathSource source;
  private ModelConfigController configs;
  private ScheduledExecutorService configPoller;
  private GrpcServer grpc;
  private RestServer rest;

  private TesseraServer(ServerOptions options) {
    this.options = options;
  }

  /** Starts everything or throws (after cleaning up what was started). */
  public static TesseraServer start(ServerOptions options) throws Exception {
    TesseraServer server = new TesseraServer(options);
    try {
      server.startModels();
      server.startListeners();
      return server;
    } catch (Exception | Error e) {
      server.close();
      throw e;
    }
  }

  private void startModels() throws InterruptedException {
    ModelServerConfig initial = options.modelConfigFile() != null
        ? ModelConfigs.readFile(options.modelConfigFile())
        : ModelConfigs.singleModel(options.modelName(), options.modelBasePath().toString());
    ModelConfigs.entries(initial);  // validate before anything starts
    manager = new AspiredVersionsManager<>(
        new AspiredVersionsManager.Options(options.maxLoadRetries(), options.loadRetryInterval(),
            LOAD_THREADS),
        AspiredVersionPolicy.AVAILABILITY_PRESERVING);
    SessionOptions session = options.sessionOptions();
    ModelWarmup warmup = options.enableWarmup()
        ? new ModelWarmup(new PredictWarmupReplayer(), options.warmupIterations()) : null;
    if (warmup == null) {
      LOG.info("Model warmup is disabled (--enable_model_warmup=false)");
    }
    SourceAdapter<Path, Loader<SavedModelBundle>> adapter = new SourceAdapter<>(
        (id, path) -> () -> loadVersion(path, session, warmup), manager);
    source = new FileSystemStoragePathSource(List.of(), options.fileSystemPollWait(), adapter);
    source.start();
    configs = new ModelConfigController(manager, source, options.allowLabelsForUnavailable());
    configs.apply(initial);
    Duration configPoll = options.modelConfigPollWait();
    if (options.modelConfigFile() != null && !configPoll.isZero() && !configPoll.isNegative()) {
      configPoller = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tessera-config-poll");
        t.setDaemon(true);
        return t;
      });
      configPoller.scheduleWithFixedDelay(() -> configs.reloadIfChanged(options.modelConfigFile()),
          configPoll.toMillis(), configPoll.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** Loads one version and, unless disabled, replays its warmup data before it is served. */
  private static SavedModelBundle loadVersion(Path dir, SessionOptions session, ModelWarmup warmup) {
    SavedModelBundle bundle = SavedModelBundle.load(dir, session.tags(), session.configBytes());
    return warmup == null ? bundle : warmup.warm(bundle, dir);
  }

  private void startListeners() throws Exception {
    ServerCore core = new ServerCore(manager, configs);
    grpc = new GrpcServer(core, new GrpcServer.Options(options.grpcBindAddress(), options.grpcPort(),
        options.grpcMaxThreads(), options.tensorContentOutputs())).start();
    if (options.restPort() != 0 && options.restPort() == options.grpcPort()) {
      LOG.severe("--rest_api_port cannot be the same as --port. Please use a different port for "
          + "HTTP/REST API. Skipped exporting HTTP/REST API.");
    } else if (options.restPort() != 0 || options.restEphemeral()) {
      rest = new RestServer(new RestApi(core, options.restTimeoutMs()), new RestServer.Options(
          options.restBindAddress(), options.restPort(), options.restThreads(),
          options.restMaxBodyBytes(), options.corsEnabled())).start();
    }
  }

  public int grpcPort() {
    return grpc.port();
  }

  /** The REST port, or -1 when REST is off. */
  public int restPort() {
    return rest == null ? -1 : rest.port();
  }

  @Override
  public void close() {
    if (rest != null) {
      rest.close();
    }
    if (grpc != null) {
      grpc.close();
    }
    if (configPoller != null) {
      configPoller.shutdownNow();
    }
    if (source != null) {
      source.close();
    }
    if (manager != null) {
      manager.close();
    }
  }
}
