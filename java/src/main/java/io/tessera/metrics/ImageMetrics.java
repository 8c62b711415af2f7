package io.tessera.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the image API sees, per model (Tessera's own metrics; TF Serving has none):
 * <ul>
 *   <li>{@code tessera_image_top1_total{model_name, class}}: images by top-1 class, the label
 *       (or the output index when the model has no labels); at most {@link #MAX_CLASSES} classes
 *       per model, the rest counted as {@link #OTHER}, so the series stay bounded;</li>
 *   <li>{@code tessera_image_top1_confidence{model_name}}: the top-1 score, 0..1;</li>
 *   <li>{@code tessera_image_decode_seconds{model_name, status}}: decode + resize wall time per
 *       image ({@code OK}), or for a call whose images failed to decode, the time until it failed
 *       (its status code name);</li>
 *   <li>{@code tessera_image_encoded_bytes{model_name}}: encoded size per image;</li>
 *   <li>{@code tessera_image_images_per_request{model_name}}: images in one request.</li>
 * </ul>
 * Thread-safe; recording is a few atomic adds.
 */
public final class ImageMetrics {
  public static final int MAX_CLASSES = 1024;
  public static final String OTHER = "__other__";

  private final Counter top1;
  private final Histogram confidence;
  private final Histogram decodeSeconds;
  private final Histogram encodedBytes;
  private final Histogram imagesPerRequest;
  private final ConcurrentHashMap<String, Set<String>> classesByModel = new ConcurrentHashMap<>();

  ImageMetrics(PrometheusRegistry registry) {
    top1 = Counter.builder().name("tessera_image_top1").help("Images by top-1 class")
        .labelNames("model_name", "class").register(registry);
    confidence = Histogram.builder().name("tessera_image_top1_confidence").help("Top-1 score per image")
        .labelNames("model_name").classicOnly()
        .classicUpperBounds(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0).register(registry);
    decodeSeconds = Histogram.builder().name("tessera_image_decode_seconds")
        .help("Decode and resize time per image; per failed call, the time until it failed")
        .labelNames("model_name", "status").classicOnly()
        .classicExponentialUpperBounds(0.0001, 2, 18).register(registry);
    encodedBytes = Histogram.builder().name("tessera_image_encoded_bytes").help("Encoded bytes per image")
        .labelNames("model_name").classicOnly().classicExponentialUpperBounds(1024, 2, 15).register(registry);
    imagesPerRequest = Histogram.builder().name("tessera_image_images_per_request")
        .help("Images in one request").labelNames("model_name").classicOnly()
        .classicExponentialUpperBounds(1, 2, 8).register(registry);
  }

  /** One image decoded for {@code model}. */
  public void recordDecode(String model, long encodedBytes, long nanos) {
    this.encodedBytes.labelValues(model).observe(encodedBytes);
    decodeSeconds.labelValues(model, "OK").observe(nanos / 1e9);
  }

  /** A call's images failed to decode for {@code model} after {@code nanos}, with {@code status}. */
  public void recordDecodeFailure(String model, String status, long nanos) {
    decodeSeconds.labelValues(model, status).observe(nanos / 1e9);
  }

  /** One request's images ran; {@code count} of them. */
  public void recordRequest(String model, int count) {
    imagesPerRequest.labelValues(model).observe(count);
  }

  /** One image's top-1 prediction. */
  public void recordTop1(String model, String label, double score) {
    Set<String> seen = classesByModel.computeIfAbsent(model, m -> ConcurrentHashMap.newKeySet());
    String cls = seen.contains(label) || (seen.size() < MAX_CLASSES && seen.add(label)) ? label : OTHER;
    top1.labelValues(model, cls).inc();
    confidence.labelValues(model).observe(score);
  }
}
