package io.tessera.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A monotonically increasing counter exported under an exact name, e.g. TF Serving's
 * {@code :tensorflow:serving:request_count}. The Prometheus client appends {@code _total} to every
 * counter it types as such, which would rename TF Serving's series and break existing dashboards
 * and alerts; so these families are exported as untyped samples (PromQL's rate() works the same).
 * Like TF Serving, a series appears only after its first increment. Thread-safe.
 */
final class UntypedCounterFamily implements MultiCollector {
  private final String name;
  private final String[] labelNames;
  private final Map<List<String>, LongAdder> series = new ConcurrentHashMap<>();

  UntypedCounterFamily(String name, String... labelNames) {
    this.name = name;
    this.labelNames = labelNames.clone();
  }

  void increment(String... labelValues) {
    if (labelValues.length != labelNames.length) {
      throw new IllegalArgumentException(name + " takes labels " + List.of(labelNames));
    }
    series.computeIfAbsent(List.of(labelValues), k -> new LongAdder()).increment();
  }

  @Override
  public MetricSnapshots collect() {
    if (series.isEmpty()) {
      return MetricSnapshots.of();
    }
    UnknownSnapshot.Builder snapshot = UnknownSnapshot.builder().name(name);
    series.forEach((values, count) -> snapshot.dataPoint(UnknownSnapshot.UnknownDataPointSnapshot.builder()
        .labels(Labels.of(labelNames, values.toArray(new String[0])))
        .value(count.sum())
        .build()));
    return MetricSnapshots.of(snapshot.build());
  }
}
