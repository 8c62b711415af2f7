package io.tessera.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tessera.nativebridge.HostBuffer;
import io.tessera.requestlog.RequestLogStats;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every metric the server exports, with TF Serving's names and labels (the exporter maps
 * {@code /tensorflow/serving/x} to {@code :tensorflow:serving:x}), the deployment guide's
 * {@code tensorflow_serving_*_ms} names beside them, JVM metrics and native memory.
 * One instance per server (its own registry); recording methods are thread-safe and cheap.
 */
public final class ServingMetrics implements RequestLogStats {
  private static final String PREFIX = ":tensorflow:serving:";
  /** TF Serving's latency buckets: 10 * 1.8^i microseconds, 33 of them. */
  static final double[] MICROS_BUCKETS = exponentialBounds(10, 1.8, 33);
  private static final Pattern LE_LABEL = Pattern.compile("le=\"([^\"]+)\"");
  private static final Set<String> GRPC_COUNTED = Set.of("Predict", "Classify", "Regress", "ModelInfer");

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final TfCounterFamily requestCount =
      new TfCounterFamily(PREFIX + "request_count", "model_name", "status");
  private final TfCounterFamily loadAttempts =
      new TfCounterFamily(":tensorflow:cc:saved_model:load_attempt_count", "model_path", "status");
  private final TfCounterFamily warmupRecords =
      new TfCounterFamily(PREFIX + "model_warmup_records_read", "model_path", "status");
  private final TfCounterFamily requestLogCount =
      new TfCounterFamily(PREFIX + "request_log_count", "model_name", "status_code");
  private final Gauge requestLogQueueDepth = Gauge.builder().name("tessera_request_log_queue_depth")
      .help("Request log records waiting to be written, per model").labelNames("model_name").register(registry);
  private final Histogram requestLatency = microsHistogram(PREFIX + "request_latency", "model_name", "API", "entrypoint");
  private final Histogram runtimeLatency = microsHistogram(PREFIX + "runtime_latency", "model_name", "API", "runtime");
  private final Histogram loadLatency = microsHistogram(":tensorflow:cc:saved_model:load_latency", "model_path");
  private final Histogram warmupLatency = microsHistogram(PREFIX + "model_warmup_latency", "model_path", "status");
  private final Histogram queuingLatency = Histogram.builder()
      .name(PREFIX + "batching_session:queuing_latency").labelNames("thread_pool_name")
      .classicOnly().classicUpperBounds(exponentialBounds(100, 1.2, 52)).register(registry);
  private final Histogram inputBatchSize = sizeHistogram(PREFIX + "batching_session:input_batch_size");
  private final Histogram processedBatchSize = sizeHistogram(PREFIX + "batching_session:processed_batch_size");
  private final Histogram paddingSize = Histogram.builder()
      .name(PREFIX + "batching_session:padding_size").labelNames("execution_batch_size")
      .classicOnly().classicUpperBounds(exponentialBounds(1, 2, 14)).register(registry);
  // The deployment guide's names (milliseconds, per model).
  private final Histogram guideRequestLatency = millisHistogram("tensorflow_serving_request_latency_ms", "model");
  private final Histogram guideBatchSize = Histogram.builder()
      .name("tensorflow_serving_batch_size").labelNames("model")
      .classicOnly().classicUpperBounds(exponentialBounds(1, 2, 14)).register(registry);
  private final Histogram guideWarmupTime = millisHistogram("tensorflow_serving_model_warmup_time_ms", "model");
  private final ImageMetrics images = new ImageMetrics(registry);

  private final Histogram downloadSeconds = Histogram.builder().name("tessera_model_download_seconds")
      .help("Time to download a model version from remote storage (s3://) into --model_cache_dir")
      .labelNames("model", "status").classicOnly().classicExponentialUpperBounds(0.01, 2, 16).register(registry);
  private final Counter downloadBytes = Counter.builder().name("tessera_model_download_bytes")
      .help("Bytes of model versions downloaded from remote storage").labelNames("model").register(registry);

  /** TF Serving's counters, which {@link #writeTo} writes as TF Serving's exporter does. */
  private final List<TfCounterFamily> tfCounters = List.of(requestCount, loadAttempts, warmupRecords, requestLogCount);
  private final Set<String> tfCounterNames = Set.of(requestCount.name(), loadAttempts.name(), warmupRecords.name(),
      requestLogCount.name());

  private final OperatorMetrics operators;

  public ServingMetrics() {
    tfCounters.forEach(registry::register);
    operators = new OperatorMetrics(registry);
    JvmMetrics.builder().register(registry);
    GaugeWithCallback.builder().name("tessera_native_host_buffer_bytes")
        .help("Bytes held by native tensor buffers (request inputs and batches)")
        .callback(cb -> cb.call(HostBuffer.liveBytes())).register(registry);
  }

  /**
   * One finished API call. {@code api} is TF Serving's label: the gRPC method (Predict, Classify,
   * ...) or the REST verb (predict, classify, regress, or "" for status/metadata).
   *
   * <p>What counts is TF Serving's: model_servers/http_server.cc records request_count (and, when
   * OK, request_latency) for every REST call, status and metadata GETs included (API ""), while
   * model_servers/prediction_service_impl.cc records them only in Predict, Classify and Regress, so
   * a gRPC GetModelMetadata call is recorded in neither.
   */
  public void recordRequest(String model, String api, String entrypoint, String status, long nanos) {
    if (entrypoint.equals("GRPC") && !GRPC_COUNTED.contains(api)) {
      return;
    }
    requestCount.increment(model, status);
    if (status.equals("OK")) {
      requestLatency.labelValues(model, api, entrypoint).observe(micros(nanos));
      guideRequestLatency.labelValues(model).observe(nanos / 1e6);
    }
  }

  /** Time spent inside TensorFlow's Session::Run for one call. */
  public void recordRuntime(String model, String api, long nanos) {
    runtimeLatency.labelValues(model, api, "TF1").observe(micros(nanos));
  }

  public void recordLoad(String modelPath, boolean ok, long nanos) {
    loadAttempts.increment(modelPath, ok ? "success" : "fail");
    if (ok) {
      loadLatency.labelValues(modelPath).observe(micros(nanos));
    }
  }

  /**
   * One fetch of a remote version (s3://): its time and, when it succeeded, the bytes downloaded.
   * Versions reused from the cache are not recorded.
   */
  public void recordDownload(String model, boolean ok, long bytes, long nanos) {
    downloadSeconds.labelValues(model, ok ? "OK" : "ERROR").observe(nanos / 1e9);
    if (ok) {
      downloadBytes.labelValues(model).inc(bytes);
    }
  }

  public void recordWarmup(String model, String modelPath, boolean ok, long records, long nanos) {
    String status = ok ? "OK" : "ERROR";
    warmupLatency.labelValues(modelPath, status).observe(micros(nanos));
    for (long i = 0; i < Math.max(0, records); i++) {
      warmupRecords.increment(modelPath, status);
    }
    guideWarmupTime.labelValues(model).observe(nanos / 1e6);
  }

  @Override
  public void logged(String model, String statusCode) {
    requestLogCount.increment(model, statusCode);
  }

  @Override
  public void queueDepth(String model, int delta) {
    requestLogQueueDepth.labelValues(model).inc(delta);
  }

  /** The runtime of one call and, for the first call of a batch, that batch's metrics. */
  public void recordRun(String model, String api, io.tessera.servables.RunResult result) {
    recordRuntime(model, api, result.runNanos());
    io.tessera.nativebridge.RunCall.BatchInfo batch = result.batch();
    if (batch != null && batch.firstInBatch()) {
      recordBatch(model, "model_server_batch_threads", (int) batch.rows(), (int) batch.paddedRows(), batch.queuedNanos());
    }
  }

  /** One executed batch: tasks merged, padding added, and how long its oldest task queued. */
  public void recordBatch(String model, String threadPool, int inputSize, int processedSize, long queuedNanos) {
    queuingLatency.labelValues(threadPool).observe(micros(queuedNanos));
    inputBatchSize.observe(inputSize);
    processedBatchSize.observe(processedSize);
    paddingSize.labelValues(Integer.toString(processedSize)).observe(processedSize - inputSize);
    guideBatchSize.labelValues(model).observe(inputSize);
  }

  /** Tessera's own operator metrics (in flight, model versions, build, image decoding). */
  public OperatorMetrics operators() {
    return operators;
  }

  /** The registry, for the separate --enable_metrics listener. */
  /** The image API's metrics. */
  public ImageMetrics images() {
    return images;
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  /**
   * Writes the --monitoring_config_file page in the Prometheus text format (content type
   * {@link #CONTENT_TYPE}): everything through the client's writer except TF Serving's counters,
   * then those as TF Serving's exporter writes them ({@link TfCounterFamily}). Bucket labels are
   * written in plain decimal ({@code le="1474755971.29607"}, not the client's {@code 1.47475597129607E9}).
   */
  public void writeTo(OutputStream out) throws IOException {
    ByteArrayOutputStream page = new ByteArrayOutputStream(64 << 10);
    PrometheusTextFormatWriter.create().write(page, registry.scrape(name -> !tfCounterNames.contains(name)));
    Writer text = new OutputStreamWriter(out, StandardCharsets.UTF_8);
    text.write(plainBucketLabels(page.toString(StandardCharsets.UTF_8)));
    for (TfCounterFamily family : tfCounters) {
      family.writeTfServingText(text);
    }
    text.flush();
  }

  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private Histogram microsHistogram(String name, String... labels) {
    return Histogram.builder().name(name).labelNames(labels)
        .classicOnly().classicUpperBounds(MICROS_BUCKETS).register(registry);
  }

  private Histogram millisHistogram(String name, String... labels) {
    return Histogram.builder().name(name).labelNames(labels)
        .classicOnly().classicUpperBounds(exponentialBounds(0.01, 1.8, 33)).register(registry);
  }

  private Histogram sizeHistogram(String name) {
    return Histogram.builder().name(name).classicOnly().classicUpperBounds(exponentialBounds(1, 2, 14)).register(registry);
  }

  /**
   * {@code count} bucket bounds {@code start * factor^i}, each rounded to 15 significant digits,
   * so labels read as the decimal the series means ({@code 32.4}, not the double arithmetic's
   * {@code 32.400000000000006}).
   */
  static double[] exponentialBounds(double start, double factor, int count) {
    double[] bounds = new double[count];
    for (int i = 0; i < count; i++) {
      bounds[i] = new BigDecimal(start * Math.pow(factor, i)).round(new MathContext(15)).doubleValue();
    }
    return bounds;
  }

  /** Rewrites every {@code le} label value the client wrote in E notation as a plain decimal. */
  static String plainBucketLabels(String page) {
    Matcher m = LE_LABEL.matcher(page);
    StringBuilder out = new StringBuilder(page.length());
    while (m.find()) {
      String value = m.group(1);
      String plain = value.contains("E") ? new BigDecimal(value).toPlainString() : value;
      m.appendReplacement(out, Matcher.quoteReplacement("le=\"" + plain + "\""));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static double micros(long nanos) {
    return TimeUnit.NANOSECONDS.toMicros(nanos);
  }
}
