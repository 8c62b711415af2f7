package io.tessera.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * One of TF Serving's {@code monitoring::Counter} families (e.g. {@code /tensorflow/serving/request_count},
 * defined in servables/tensorflow/util.cc with labels model_name, status), exported under its exact
 * name.
 *
 * <p>On the --monitoring_config_file page, {@link #writeTfServingText} writes the family as TF
 * Serving's exporter does (util/prometheus_exporter.cc, SerializeScalar): {@code # TYPE NAME counter},
 * then one {@code NAME{label="value",...} N} line per series, labels in the order the metric
 * defines them, the value an integer, no HELP line, and the TYPE line even before the first
 * increment. The official Prometheus client (1.8) cannot write that: its text writer names every
 * counter {@code NAME_total} (renaming TF Serving's series and breaking existing dashboards and
 * alerts), sorts label names and writes values as doubles; its OpenMetrics 2 writer keeps the name
 * but is another format. So these families are serialized here, beside the client's writer for
 * everything else ({@link ServingMetrics#writeTo}).
 *
 * <p>On the client's own listener (--enable_metrics, the deployment guide's /metrics) the family is
 * a {@link MultiCollector} of untyped samples with the exact name (PromQL's rate() works the same).
 *
 * <p>Like TF Serving, a series appears only after its first increment. Label values come from
 * requests (e.g. a model name that does not exist), so at most {@link #MAX_SERIES} series are
 * kept; increments of further label sets are counted in one series whose labels are all
 * {@link #OVERFLOW}. Thread-safe.
 */
final class TfCounterFamily implements MultiCollector {
  static final int MAX_SERIES = BoundedSeries.MAX_SERIES;
  static final String OVERFLOW = BoundedSeries.OVERFLOW;

  private final String name;
  private final String[] labelNames;
  private final Map<List<String>, LongAdder> series = new ConcurrentHashMap<>();

  TfCounterFamily(String name, String... labelNames) {
    this.name = name;
    this.labelNames = labelNames.clone();
  }

  String name() {
    return name;
  }

  void increment(String... labelValues) {
    if (labelValues.length != labelNames.length) {
      throw new IllegalArgumentException(name + " takes labels " + List.of(labelNames));
    }
    BoundedSeries.cell(series, labelValues, LongAdder::new).increment();
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

  /**
   * Writes the family as TF Serving's SerializeScalar does for a cumulative int64 metric; series
   * in label-value order (TF Serving's cells are a std::map keyed by the label values).
   */
  void writeTfServingText(Writer out) throws IOException {
    out.write("# TYPE " + name + " counter\n");
    List<Map.Entry<List<String>, LongAdder>> sorted = new ArrayList<>(series.entrySet());
    sorted.sort((a, b) -> compare(a.getKey(), b.getKey()));
    StringBuilder line = new StringBuilder();
    for (Map.Entry<List<String>, LongAdder> s : sorted) {
      line.setLength(0);
      line.append(name).append('{');
      for (int i = 0; i < labelNames.length; i++) {
        if (i > 0) {
          line.append(',');
        }
        line.append(labelNames[i]).append("=\"").append(escape(s.getKey().get(i))).append('"');
      }
      line.append("} ").append(s.getValue().sum()).append('\n');
      out.write(line.toString());
    }
  }

  /**
   * TF Serving's SanitizeLabelValue escapes backslash and double quote; a line feed is escaped too
   * (as the text format defines), so a model name sent by a client cannot add lines to the page.
   */
  static String escape(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  private static int compare(List<String> a, List<String> b) {
    for (int i = 0; i < a.size(); i++) {
      int c = a.get(i).compareTo(b.get(i));
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }
}
