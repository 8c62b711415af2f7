package io.tessera.metrics;

import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tessera.nativebridge.BatchingSession;
import io.tessera.nativebridge.RunCall;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Tessera's own batching metrics, per batching queue (one per model version): what the queue runs
 * under now (adaptive batching's choice of timeout and batch size limit, or the configured ones),
 * whether its latency target is reachable, the measured arrival rate and batch fill ratio, and
 * histograms of each request's queue wait and each batch's run time. TF Serving's batching
 * metrics ({@link ServingMetrics}) keep their names. Thread-safe.
 */
public final class BatchingMetrics {
  /** A live batching session and the labels it is exported under. */
  public record Queue(String model, long version, BatchingSession session) {}

  private static final String[] QUEUE_LABELS = {"model_name", "version"};

  private volatile Supplier<List<Queue>> queues = List::of;
  private final Histogram queueWait;
  private final Histogram runTime;

  BatchingMetrics(PrometheusRegistry registry) {
    queueWait = Histogram.builder().name("tessera_batching_queue_wait_micros")
        .help("Time from a request's arrival in a batching queue to the start of its batch")
        .labelNames("model_name").classicOnly().classicExponentialUpperBounds(10, 2, 20).register(registry);
    runTime = Histogram.builder().name("tessera_batching_run_micros")
        .help("Merge and TensorFlow run time of one batch")
        .labelNames("model_name").classicOnly().classicExponentialUpperBounds(10, 2, 20).register(registry);
    gauge(registry, "tessera_batching_timeout_micros", "Batch timeout the queue runs under now",
        l -> (double) l.timeoutMicros());
    gauge(registry, "tessera_batching_batch_size_limit", "Rows at which a batch of the queue is ready now",
        l -> (double) l.batchSizeLimit());
    gauge(registry, "tessera_batching_arrival_rows_per_second", "Measured arrival rate (adaptive batching)",
        BatchingSession.Limits::arrivalRowsPerSecond);
    gauge(registry, "tessera_batching_fill_ratio", "Recent batches' rows / batch size limit (adaptive batching)",
        BatchingSession.Limits::fillRatio);
    gauge(registry, "tessera_batching_target_reachable",
        "1 when adaptive batching can meet target_p99_latency_micros at the measured load",
        l -> l.targetReachable() ? 1.0 : 0.0);
  }

  /** Where the live queues come from (the server's batching reloader). */
  public void watch(Supplier<List<Queue>> source) {
    this.queues = source;
  }

  /** One batched call: its queue wait and, for the first call of its batch, the batch's run time. */
  void record(String model, RunCall.BatchInfo batch) {
    queueWait.labelValues(model).observe(batch.queuedNanos() / 1e3);
    if (batch.firstInBatch()) {
      runTime.labelValues(model).observe(batch.runNanos() / 1e3);
    }
  }

  private void gauge(PrometheusRegistry registry, String name, String help,
      Function<BatchingSession.Limits, Double> value) {
    GaugeWithCallback.builder().name(name).help(help).labelNames(QUEUE_LABELS)
        .callback(cb -> forEachLive(q -> {
          BatchingSession.Limits limits = q.session().limits();
          if (limits != null) {
            cb.call(value.apply(limits), q.model(), Long.toString(q.version()));
          }
        })).register(registry);
  }

  private void forEachLive(Consumer<Queue> action) {
    for (Queue q : queues.get()) {
      action.accept(q);
    }
  }
}
