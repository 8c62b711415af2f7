package io.tessera.server;

import io.tessera.core.AspiredVersionPolicy;
import io.tessera.core.AspiredVersionsManager;
import io.tessera.core.Loader;
import io.tessera.core.ServableState;
import io.tessera.core.ServingException;
import io.tessera.core.SourceAdapter;
import io.tessera.core.StatusCode;
import io.tessera.core.VersionStatus;
import io.tessera.grpc.GrpcServer;
import io.tessera.http.RestApi;
import io.tessera.http.RestServer;
import io.tessera.servables.SavedModelBundle;
import io.tessera.servables.SessionOptions;
import io.tessera.sources.FileSystemStoragePathSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Logger;

/**
 * Wires the serving pipeline (file-system Source → SavedModel adapter → manager) and the two API
 * listeners, TF Serving's start-up order: ports open only once every model's newest version is
 * AVAILABLE; a model that fails to load fails start-up. {@link #close()} stops listeners first,
 * then unloads models.
 */
public final class TesseraServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(TesseraServer.class.getName());
  private static final Duration PROGRESS_LOG_INTERVAL = Duration.ofSeconds(10);

  private final ServerOptions options;
  private AspiredVersionsManager<SavedModelBundle> manager;
  private FileSystemStoragePathSource source;
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
    SessionOptions session = options.sessionOptions();
    manager = new AspiredVersionsManager<>(
        new AspiredVersionsManager.Options(options.maxLoadRetries(), options.loadRetryInterval()),
        AspiredVersionPolicy.AVAILABILITY_PRESERVING);
    SourceAdapter<Path, Loader<SavedModelBundle>> adapter = new SourceAdapter<>(
        (id, path) -> () -> SavedModelBundle.load(path, session.tags(), session.configBytes()),
        manager);
    Path basePath = options.modelBasePath();
    if (!Files.isDirectory(basePath)) {
      LOG.warning("Model base path " + basePath + " does not exist (yet); waiting for it to appear");
    }
    source = new FileSystemStoragePathSource(
        List.of(new FileSystemStoragePathSource.WatchedServable(options.modelName(), basePath)),
        options.fileSystemPollWait(), adapter);
    source.start();
    awaitInitialLoad(options.modelName());
  }

  private void awaitInitialLoad(String model) throws InterruptedException {
    long started = System.nanoTime();
    while (!manager.awaitSettled(model, PROGRESS_LOG_INTERVAL)) {
      LOG.info("Still waiting for model " + model + " to load ("
          + Duration.ofNanos(System.nanoTime() - started).toSeconds() + " s)");
    }
    List<VersionStatus> versions = manager.monitor().versions(model);
    VersionStatus newest = versions.get(0);
    if (newest.state() != ServableState.AVAILABLE) {
      throw new ServingException(newest.errorCode() == StatusCode.OK ? StatusCode.UNKNOWN : newest.errorCode(),
          "Loading servable " + model + " version " + newest.version() + " failed: " + newest.errorMessage());
    }
  }

  private void startListeners() throws Exception {
    ServerCore core = new ServerCore(manager);
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
    if (source != null) {
      source.close();
    }
    if (manager != null) {
      manager.close();
    }
  }
}
