package io.tessera.metrics;

import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Tessera's own metrics for operators, beside TF Serving's (which TF Serving lacks): requests in
 * flight, one gauge family per loaded model version (state, load time, batch queue depth), build
 * information and image decoding. Names start with {@code tessera_}; README "Operations" lists them.
 * Thread-safe.
 */
public final class OperatorMetrics {
  /** One model version as the server sees it at scrape time. */
  public record VersionSample(String model, long version, String state, double loadSeconds, long queuedTasks) {}

  static final String IN_FLIGHT = "tessera_requests_in_flight";
  static final String VERSION_STATE = "tessera_model_version_state";
  static final String LOAD_SECONDS = "tessera_model_load_seconds";
  static final String QUEUE_DEPTH = "tessera_batch_queue_depth";
  static final String STATES = "START,LOADING,AVAILABLE,UNLOADING,END";

  private final PrometheusRegistry registry;
  private final InFlight inFlight = new InFlight();

  OperatorMetrics(PrometheusRegistry registry) {
    this.registry = registry;
    registry.register(inFlight);
  }

  /** Marks a request in flight until the returned handle runs (exactly once). */
  public Runnable startRequest(String model, String api, String entrypoint) {
    AtomicLong cell = BoundedSeries.cell(inFlight.series, new String[] {model, api, entrypoint}, AtomicLong::new);
    cell.incrementAndGet();
    return cell::decrementAndGet;
  }

  /** {@code tessera_build_info{version, tensorflow_version, java_version} 1}. */
  public void exportBuildInfo(String version, String tensorflowVersion) {
    Info info = Info.builder().name("tessera_build").help("Tessera build: server, TensorFlow and Java versions")
        .labelNames("version", "tensorflow_version", "java_version").register(registry);
    info.setLabelValues(version, tensorflowVersion, System.getProperty("java.version"));
  }

  /**
   * Gauges read from {@code versions} at each scrape: {@value #VERSION_STATE} (1 for the state a
   * version is in, 0 for the others), {@value #LOAD_SECONDS} (its last successful load, warmup
   * included) and {@value #QUEUE_DEPTH} (tasks waiting in its batching queues; batched versions only).
   */
  public void exportModelVersions(Supplier<List<VersionSample>> versions) {
    GaugeWithCallback.builder().name(VERSION_STATE)
        .help("1 for the state each model version is in (START, LOADING, AVAILABLE, UNLOADING, END), else 0")
        .labelNames("model_name", "version", "state")
        .callback(cb -> {
          for (VersionSample v : versions.get()) {
            for (String state : STATES.split(",")) {
              cb.call(state.equals(v.state()) ? 1 : 0, v.model(), Long.toString(v.version()), state);
            }
          }
        }).register(registry);
    GaugeWithCallback.builder().name(LOAD_SECONDS)
        .help("Seconds the last successful load of each model version took, warmup included")
        .labelNames("model_name", "version")
        .callback(cb -> versions.get().stream().filter(v -> !Double.isNaN(v.loadSeconds()))
            .forEach(v -> cb.call(v.loadSeconds(), v.model(), Long.toString(v.version()))))
        .register(registry);
    GaugeWithCallback.builder().name(QUEUE_DEPTH)
        .help("Requests waiting in each batched model version's batch queues")
        .labelNames("model_name", "version")
        .callback(cb -> versions.get().stream().filter(v -> v.queuedTasks() >= 0)
            .forEach(v -> cb.call(v.queuedTasks(), v.model(), Long.toString(v.version()))))
        .register(registry);
  }

  /** {@value #IN_FLIGHT}: a gauge per model, API and entry point, bounded as request_count is. */
  private static final class InFlight implements MultiCollector {
    final Map<List<String>, AtomicLong> series = new ConcurrentHashMap<>();

    @Override
    public MetricSnapshots collect() {
      GaugeSnapshot.Builder gauge = GaugeSnapshot.builder().name(IN_FLIGHT)
          .help("Requests being served now, by model, API and entry point");
      series.forEach((labels, count) -> gauge.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
          .labels(Labels.of(List.of("model_name", "API", "entrypoint"), labels)).value(count.get()).build()));
      return MetricSnapshots.of(gauge.build());
    }
  }
}
