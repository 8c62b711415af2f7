package io.tessera.metrics;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The label-cardinality rule for series whose label values come from requests (model names a
 * client sends): at most {@link #MAX_SERIES} label sets are kept, and any further one is folded
 * into the single label set whose values are all {@link #OVERFLOW}. Stateless.
 */
final class BoundedSeries {
  static final int MAX_SERIES = 1000;
  static final String OVERFLOW = "__overflow__";

  private BoundedSeries() {}

  /** The cell for {@code labelValues} in {@code series}, created (or the overflow cell) if new. */
  static <V> V cell(Map<List<String>, V> series, String[] labelValues, Supplier<V> create) {
    List<String> key = List.of(labelValues);
    V cell = series.get(key);
    if (cell == null) {
      if (series.size() >= MAX_SERIES) {
        String[] overflow = new String[labelValues.length];
        Arrays.fill(overflow, OVERFLOW);
        key = List.of(overflow);
      }
      cell = series.computeIfAbsent(key, k -> create.get());
    }
    return cell;
  }
}
