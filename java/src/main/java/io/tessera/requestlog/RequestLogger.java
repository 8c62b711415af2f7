package io.tessera.requestlog;

import io.tessera.proto.serving.LogMetadata;
import io.tessera.proto.serving.PredictionLog;
import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One loaded version's request log. Request threads call {@link #sample} and {@link #submit},
 * which never block: a record goes into a bounded queue ({@value #QUEUE_RECORDS} records and
 * {@value #QUEUE_BYTES} bytes at most) or, when that is full, is dropped and counted
 * (RESOURCE_EXHAUSTED; so is a record larger than the byte bound). One writer thread drains the queue into the {@link LogCollector}, flushing
 * whenever the queue runs empty; a failed write drops that record (RESOURCE_EXHAUSTED when the disk
 * is full, else the failure's code). Drops log a WARNING at most every {@value #WARN_EVERY_SECONDS}
 * s with the count since the last one. {@link #close} stops intake, writes what is queued, closes
 * the collector and joins the writer (bounded); idempotent.
 */
public final class RequestLogger implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(RequestLogger.class.getName());
  static final int QUEUE_RECORDS = 1024;
  static final long QUEUE_BYTES = 64L << 20;
  static final int WARN_EVERY_SECONDS = 10;
  private static final long CLOSE_WAIT_SECONDS = 30;

  private final String model;
  private final RequestLogSettings settings;
  private final List<String> tags;
  private final LogCollector collector;
  private final RequestLogStats stats;
  private final ArrayBlockingQueue<PredictionLog> queue;
  private final long maxQueuedBytes;
  private final AtomicLong queuedBytes = new AtomicLong();
  private final AtomicLong droppedSinceWarning = new AtomicLong();
  private final AtomicLong lastWarningNanos = new AtomicLong(System.nanoTime() - TimeUnit.DAYS.toNanos(1));
  private final Thread writer;
  private volatile boolean closed;

  /**
   * A logger writing to {@code collector} (tests use their own collectors; the server uses
   * {@link #open}).
   */
  public RequestLogger(String model, RequestLogSettings settings, List<String> savedModelTags, LogCollector collector,
      RequestLogStats stats, int queueRecords, long queueBytes) {
    this.model = model;
    this.settings = settings;
    this.tags = List.copyOf(savedModelTags);
    this.collector = collector;
    this.stats = stats;
    this.queue = new ArrayBlockingQueue<>(queueRecords);
    this.maxQueuedBytes = queueBytes;
    this.writer = new Thread(this::drain, "tessera-request-log-" + model);
    writer.setDaemon(true);
    writer.start();
  }

  /**
   * The server's logger for one version: the collector {@code settings} names.
   *
   * @throws ServingException FAILED_PRECONDITION when the file collector's directory is unusable
   */
  public static RequestLogger open(String model, long version, RequestLogSettings settings,
      List<String> savedModelTags, RequestLogStats stats) {
    settings.unwritable(model).ifPresent(problem -> {
      throw ServingException.failedPrecondition("Cannot log requests of " + problem);
    });
    LogCollector collector = settings.type().equals(RequestLogSettings.FILE)
        ? new TFRecordFileCollector(settings.filenamePrefix(), version, settings.server().maxFileBytes())
        : new StdoutJsonCollector(System.out);
    return new RequestLogger(model, settings, savedModelTags, collector, stats, QUEUE_RECORDS, QUEUE_BYTES);
  }

  public RequestLogSettings settings() {
    return settings;
  }

  /** Whether this call is logged (uniform sampling at the configured rate); cheap. */
  public boolean sample() {
    double rate = settings.samplingRate();
    return rate >= 1 || (rate > 0 && ThreadLocalRandom.current().nextDouble() < rate);
  }

  /**
   * Queues a sampled call's log, completing its LogMetadata with the sampling config, the saved
   * model tags and the time (the pipeline sets the model spec). Never blocks.
   */
  public void submit(PredictionLog.Builder log) {
    LogMetadata.Builder metadata = log.getLogMetadataBuilder().setSamplingConfig(settings.sampling())
        .setTimestampSecs(System.currentTimeMillis() / 1000);
    if (!tags.isEmpty()) {
      metadata.clearSavedModelTags().addAllSavedModelTags(tags);
    }
    PredictionLog record = log.build();
    long bytes = record.getSerializedSize();
    if (closed) {
      dropped(StatusCode.CANCELLED, "the version is unloading");
      return;
    }
    if (queuedBytes.addAndGet(bytes) > maxQueuedBytes) {
      queuedBytes.addAndGet(-bytes);
      dropped(StatusCode.RESOURCE_EXHAUSTED, "the log queue is full");
      return;
    }
    if (!queue.offer(record)) {
      queuedBytes.addAndGet(-bytes);
      dropped(StatusCode.RESOURCE_EXHAUSTED, "the log queue is full");
      return;
    }
    stats.queueDepth(model, 1);
  }

  /**
   * Whether a record of about {@code bytes} can ever be queued; if not, it is dropped and counted
   * (RESOURCE_EXHAUSTED) here, before the pipeline copies a large call into a record.
   */
  public boolean fits(long bytes) {
    if (bytes <= maxQueuedBytes) {
      return true;
    }
    dropped(StatusCode.RESOURCE_EXHAUSTED, "a record of " + bytes + " bytes is larger than the log queue");
    return false;
  }

  /** A sampled call whose record could not be built: dropped and counted (INTERNAL). */
  public void notBuilt(RuntimeException e) {
    LOG.log(Level.FINE, "Request log record of " + model + " not built", e);
    dropped(StatusCode.INTERNAL, "a record could not be built: " + e);
  }

  /** Records waiting to be written (tests, metrics). */
  public int queued() {
    return queue.size();
  }

  private void drain() {
    try {
      while (!closed || !queue.isEmpty()) {
        PredictionLog record = queue.poll(100, TimeUnit.MILLISECONDS);
        if (record == null) {
          continue;
        }
        queuedBytes.addAndGet(-record.getSerializedSize());
        stats.queueDepth(model, -1);
        try {
          collector.collect(record);
          stats.logged(model, StatusCode.OK.name());
          if (queue.isEmpty()) {
            collector.flush();
          }
        } catch (IOException | RuntimeException e) {
          dropped(writeFailure(e), "writing failed: " + e.getMessage());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      try {
        collector.close();
      } catch (IOException | RuntimeException e) {
        LOG.log(Level.WARNING, "Closing the request log of " + model + " failed", e);
      }
    }
  }

  /** ENOSPC is RESOURCE_EXHAUSTED, as TensorFlow maps it; any other failure is INTERNAL. */
  private static StatusCode writeFailure(Exception e) {
    String message = String.valueOf(e.getMessage());
    return message.contains("No space left") || message.contains("Disk quota") ? StatusCode.RESOURCE_EXHAUSTED
        : StatusCode.INTERNAL;
  }

  private void dropped(StatusCode code, String why) {
    stats.logged(model, code.name());
    long suppressed = droppedSinceWarning.incrementAndGet();
    long now = System.nanoTime();
    long last = lastWarningNanos.get();
    if (now - last >= TimeUnit.SECONDS.toNanos(WARN_EVERY_SECONDS) && lastWarningNanos.compareAndSet(last, now)) {
      droppedSinceWarning.addAndGet(-suppressed);
      LOG.warning("Request log of model " + model + ": dropped " + suppressed + " record(s) since the last warning ("
          + why + ")");
    }
  }

  /** Stops intake and writes out what is queued (bounded wait), then closes the collector. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      writer.join(TimeUnit.SECONDS.toMillis(CLOSE_WAIT_SECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (writer.isAlive()) {
      LOG.warning("Request log of model " + model + " did not finish writing within " + CLOSE_WAIT_SECONDS + " s");
      writer.interrupt();
      return;
    }
    // A submit that raced with close may have queued after the writer's last look.
    for (PredictionLog late = queue.poll(); late != null; late = queue.poll()) {
      stats.queueDepth(model, -1);
      dropped(StatusCode.CANCELLED, "the version is unloading");
    }
  }
}
