package io.tessera.server;

import io.tessera.core.ServableId;
import io.tessera.metrics.ServingMetrics;
import io.tessera.nativebridge.BatchThreads;
import io.tessera.requestlog.RequestLogger;
import io.tessera.servables.SavedModelBundle;
import io.tessera.servables.SessionOptions;
import io.tessera.servables.batching.BatchingOptions;
import io.tessera.servables.batching.BatchingReloader;
import io.tessera.servables.warmup.ModelWarmup;
import io.tessera.serving.ServedModel;
import io.tessera.serving.SyntheticWarmup;
import io.tessera.serving.WarmupReplay;
import io.tessera.sources.StoredVersion;
import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * The loader behind every aspired version: fetches it onto local disk, loads the SavedModel with
 * the server's session and batching settings, attaches its per-version state and runs its warmup
 * through the request pipeline before the manager serves it. Called on the manager's load
 * threads, one call per version; the result is owned by the manager from then on, and anything a
 * failed call built is closed before it throws.
 */
final class VersionLoader {
  private static final Logger LOG = Logger.getLogger(VersionLoader.class.getName());

  private final ServerOptions options;
  private final SessionOptions session;
  private final ServingMetrics metrics;
  /** With --enable_batching: the shared batch threads and the parameters' reloader; else null. */
  private final BatchThreads batchThreads;
  private final BatchingReloader batchingReloader;
  /** The request log a version's model config asks for (null: none); read after warmup. */
  private final Function<ServableId, RequestLogger> requestLogs;
  /** Written here: how long each version's last successful load took, warmup included. */
  private final Map<ServableId, Double> loadSeconds;

  VersionLoader(ServerOptions options, SessionOptions session, ServingMetrics metrics, BatchThreads batchThreads,
      BatchingReloader batchingReloader, Function<ServableId, RequestLogger> requestLogs,
      Map<ServableId, Double> loadSeconds) {
    this.options = options;
    this.session = session;
    this.metrics = metrics;
    this.batchThreads = batchThreads;
    this.batchingReloader = batchingReloader;
    this.requestLogs = requestLogs;
    this.loadSeconds = loadSeconds;
  }

  /**
   * Fetches a version onto local disk (a download for s3://, recorded in the download metrics)
   * and loads it from there; the served version owns the local copy until it is unloaded, and a
   * failed load gives it up at once. A failed fetch fails the load, which the manager retries.
   */
  ServedModel load(ServableId id, StoredVersion version) {
    long started = System.nanoTime();
    StoredVersion.Fetched local;
    try {
      local = version.fetch();
    } catch (IOException | RuntimeException e) {
      metrics.recordDownload(id.name(), false, 0, System.nanoTime() - started);
      throw new ServingException(StatusCode.UNAVAILABLE, "Could not fetch " + version.location() + ": "
          + e.getMessage());
    }
    if (local.downloaded()) {
      metrics.recordDownload(id.name(), true, local.bytes(), local.nanos());
    }
    try {
      return loadVersion(id, local, version.location());
    } catch (RuntimeException | Error e) {
      local.close();
      throw e;
    }
  }

  /**
   * Loads one version with its per-version state (image preprocessing, when configured; its
   * request log, when its model has a logging_config) and, unless disabled, replays its warmup
   * data (or, with --synthesize_warmup_requests, synthetic requests when it has no warmup file)
   * through the request pipeline before it is served. Records TF's load and warmup metrics.
   */
  private ServedModel loadVersion(ServableId id, StoredVersion.Fetched local, String location) {
    long started = System.nanoTime();
    ServedModel served = loadAndWarm(id, local, location);
    loadSeconds.put(id, (System.nanoTime() - started) / 1e9);
    return served;
  }

  private ServedModel loadAndWarm(ServableId id, StoredVersion.Fetched local, String location) {
    Path dir = local.dir();
    String model = id.name();
    long started = System.nanoTime();
    SavedModelBundle bundle;
    try {
      bundle = SavedModelBundle.load(dir, session.tags(), session.configBytes(),
          options.lifecycle().removeUnusedMetaGraphFields());
      metrics.recordLoad(location, true, System.nanoTime() - started);
    } catch (RuntimeException e) {
      metrics.recordLoad(location, false, System.nanoTime() - started);
      throw e;
    }
    // With --enable_per_model_batching_parameters only versions with their own file are batched.
    BatchingOptions batching = batchingReloader == null ? null
        : options.perModelBatching() ? BatchingOptions.forVersion(dir, null) : batchingReloader.serverWide();
    if (batching != null) {
      try {
        bundle.withBatching(batching.settings(), batchThreads);
        batchingReloader.register(new BatchingReloader.Queue(model, id.version(), bundle.batching(),
            options.perModelBatching() ? dir.resolve(BatchingOptions.PER_MODEL_FILE) : null), batching);
        LOG.info("Batching " + model + " (" + dir.getFileName() + ") with " + batching.source());
      } catch (RuntimeException e) {
        bundle.close();
        throw e;
      }
    }
    ServedModel served = ServedModel.of(bundle, local);  // closes the bundle if its image config is invalid
    served.images().ifPresent(p -> LOG.info("Model " + model + " accepts encoded images as input '"
        + p.config().inputAlias() + "' (" + p.config().source() + ")"));
    long warmupStarted = System.nanoTime();
    try {
      if (options.enableWarmup()) {
        WarmupReplay replay = new WarmupReplay(metrics, id);
        ModelWarmup.Result result = new ModelWarmup<>(replay, options.warmupIterations()).run(served, dir);
        if (result == null && options.synthesizeWarmupRequests() > 0) {
          result = SyntheticWarmup.run(served, replay, options.synthesizeWarmupRequests());
        }
        metrics.recordWarmup(model, location, true, result == null ? 0 : result.replayed(),
            System.nanoTime() - warmupStarted);
      }
      served.replaceRequestLog(requestLogs.apply(id));  // after warmup: replays are never logged
      return served;
    } catch (RuntimeException e) {
      if (options.enableWarmup()) {
        metrics.recordWarmup(model, location, false, 0, System.nanoTime() - warmupStarted);
      }
      try {
        served.close();  // never served
      } catch (RuntimeException closeFailed) {
        e.addSuppressed(closeFailed);
      }
      throw e;
    }
  }
}
