package io.tessera.servables.batching;

import io.tessera.nativebridge.BatchingSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Logger;

/**
 * Reloadable batching parameters (issue 21): the server-wide --batching_parameters_file and, with
 * --enable_per_model_batching_parameters, each loaded version's batching_params.pbtxt are read
 * again at every {@link #poll}; a changed file is applied to the live batching sessions it governs
 * ({@link BatchingSession#update}), while requests run, none dropped. A file that no longer parses
 * or validates is logged and ignored (the sessions keep their parameters). num_batch_threads
 * sizes the process's shared threads and only changes on restart. Versions loaded after a reload
 * use the reloaded server-wide parameters ({@link #serverWide}).
 *
 * <p>Each poll also logs, per session, when adaptive batching changed its decision markedly since
 * the last poll. Thread-safe.
 */
public final class BatchingReloader {
  private static final Logger LOG = Logger.getLogger(BatchingReloader.class.getName());

  /** One live batching session: its model version, and the per-version file governing it (or null). */
  public record Queue(String model, long version, BatchingSession session, Path perModelFile) {}

  private final Path serverFile;  // null: defaults, nothing to reload
  private BatchingOptions serverWide;
  private String serverText;
  private final List<Tracked> tracked = new ArrayList<>();

  private static final class Tracked {
    final Queue queue;
    BatchingOptions applied;
    String text;
    long markedChanges;

    Tracked(Queue queue, BatchingOptions applied, String text) {
      this.queue = queue;
      this.applied = applied;
      this.text = text;
    }
  }

  /** {@code initial} read from {@code serverFile} (null when the defaults are used). */
  public BatchingReloader(BatchingOptions initial, Path serverFile) {
    this.serverWide = initial;
    this.serverFile = serverFile;
    this.serverText = serverFile == null ? null : read(serverFile);
  }

  /** The server-wide parameters now (as reloaded). */
  public synchronized BatchingOptions serverWide() {
    return serverWide;
  }

  /** Tracks a version's session, created with {@code applied}; perModelFile null: server-wide. */
  public synchronized void register(Queue queue, BatchingOptions applied) {
    String text = queue.perModelFile() == null ? serverText : read(queue.perModelFile());
    tracked.add(new Tracked(queue, applied, text));
  }

  /** The live sessions (closed ones are forgotten). */
  public synchronized List<Queue> queues() {
    tracked.removeIf(t -> t.queue.session().isClosed());
    return tracked.stream().map(t -> t.queue).toList();
  }

  /** Re-reads every file; applies those that changed. Never throws for a bad file. */
  public synchronized void poll() {
    tracked.removeIf(t -> t.queue.session().isClosed());
    if (serverFile != null) {
      String text = read(serverFile);
      if (text != null && !text.equals(serverText)) {
        serverText = text;
        BatchingOptions next = parse(serverFile);
        if (next != null) {
          warnIfThreadsChanged(serverWide, next);
          serverWide = next;
          LOG.info("Reloaded batching parameters from " + serverFile);
        }
      }
    }
    for (Tracked t : tracked) {
      Path file = t.queue.perModelFile();
      String text = file == null ? serverText : read(file);
      if (text == null || text.equals(t.text)) {
        logMarkedChange(t);
        continue;
      }
      t.text = text;
      BatchingOptions next = file == null ? serverWide : parse(file);
      if (next != null && !sameSettings(next.settings(), t.applied.settings()) && apply(t, next)) {
        LOG.info("Batching " + t.queue.model() + " version " + t.queue.version() + " with reloaded "
            + next.source());
      }
      logMarkedChange(t);
    }
  }

  private static boolean apply(Tracked t, BatchingOptions next) {
    if (!t.queue.session().update(next.settings())) {
      return false;  // unloaded meanwhile
    }
    if (t.queue.perModelFile() != null) {
      warnIfThreadsChanged(t.applied, next);
    }
    t.applied = next;
    return true;
  }

  private static void logMarkedChange(Tracked t) {
    BatchingSession.Limits limits = t.queue.session().limits();
    if (limits == null || !limits.adaptive() || limits.markedChanges() == t.markedChanges) {
      return;
    }
    t.markedChanges = limits.markedChanges();
    LOG.info(String.format("Adaptive batching of %s version %d: timeout %d us, batch size limit %d, "
        + "arrivals %.0f rows/s, fill %.2f%s", t.queue.model(), t.queue.version(), limits.timeoutMicros(),
        limits.batchSizeLimit(), limits.arrivalRowsPerSecond(), limits.fillRatio(),
        limits.targetReachable() ? "" : " (latency target out of reach at this load)"));
  }

  private static void warnIfThreadsChanged(BatchingOptions before, BatchingOptions after) {
    if (before.settings().numBatchThreads() != after.settings().numBatchThreads()) {
      LOG.warning("num_batch_threads changed in " + after.source() + "; the shared batch threads keep "
          + before.settings().numBatchThreads() + " until the server restarts");
    }
  }

  private static BatchingOptions parse(Path file) {
    try {
      return BatchingOptions.fromFile(file);
    } catch (RuntimeException e) {
      LOG.warning("Ignoring changed batching parameters in " + file + " (kept the current ones): " + e.getMessage());
      return null;
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException | RuntimeException e) {
      return null;  // gone or unreadable: keep what runs
    }
  }

  static boolean sameSettings(BatchingSession.Settings a, BatchingSession.Settings b) {
    return a.maxBatchSize() == b.maxBatchSize() && a.batchTimeoutMicros() == b.batchTimeoutMicros()
        && a.maxEnqueuedBatches() == b.maxEnqueuedBatches() && a.numBatchThreads() == b.numBatchThreads()
        && Arrays.equals(a.allowedBatchSizes(), b.allowedBatchSizes())
        && a.splitLargeRequests() == b.splitLargeRequests() && a.maxExecutionBatchSize() == b.maxExecutionBatchSize()
        && a.padVariableLengthInputs() == b.padVariableLengthInputs()
        && a.targetP99LatencyMicros() == b.targetP99LatencyMicros();
  }
}
