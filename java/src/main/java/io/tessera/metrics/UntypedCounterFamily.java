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
 * Like TF Serving, a series appears only after its first increment. Label values come from
 * requests (e.g. a model name that does not exist), so at most {@link #MAX_SERIES} series are
 * kept; increments of further label sets are counted in one series whose labels are all
 * {@link #OVERFLOW}. Thread-safe.
 */
final class UntypedCounterFamily implements MultiCollector {
  static final int MAX_SERIES = 1000;
  static final String OVERFLOW = "__overflow__";

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
    List<String> key = List.of(labelValues);
    LongAdder count = series.get(key);
    if (count == null) {
      if (series.size() >= MAX_SERIES) {
        String[] overflow = new String[labelNames.length];
        java.util.Arrays.fill(overflow, OVERFLOW);
        key = List.of(overflow);
      }
      count = series.computeIfAbsent(key, k -> new LongAdder());
    }
    count.increment();
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
