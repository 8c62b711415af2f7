package io.tessera.metrics;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Exposition as TF Serving's util/prometheus_exporter.cc writes it; counting as model_servers/http_server.cc. */
class ServingMetricsTest {
  private static String page(ServingMetrics metrics) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    metrics.writeTo(out);
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void exportsTfServingAndGuideNamesAfterObservations() throws Exception {
    ServingMetrics metrics = new ServingMetrics();
    String empty = page(metrics);
    assertFalse(empty.contains(":tensorflow:serving:request_count{"), "series appear only after use");
    assertTrue(empty.contains("# TYPE :tensorflow:serving:request_count counter\n"), "TYPE line before any use");
    metrics.recordRequest("m", "predict", "REST", "OK", 2_000_000);
    metrics.recordRequest("m", "Predict", "GRPC", "NOT_FOUND", 1_000);
    metrics.recordRuntime("m", "predict", 1_500_000);
    metrics.recordLoad("/models/m/1", true, 10_000_000);
    metrics.recordWarmup("m", "/models/m/1", true, 3, 5_000_000);
    metrics.recordBatch("m", "model_server_batch_threads", 3, 4, 100_000);
    String page = page(metrics);
    assertTrue(page.contains("\n:tensorflow:serving:request_count{model_name=\"m\",status=\"OK\"} 1\n"), page);
    assertFalse(page.contains("request_count_total"), page);
    assertTrue(page.contains(":tensorflow:serving:request_count{model_name=\"m\",status=\"NOT_FOUND\"} 1"), page);
    assertTrue(page.contains("# TYPE :tensorflow:serving:request_latency histogram"), page);
    assertTrue(page.contains(":tensorflow:serving:request_latency_count{API=\"predict\",entrypoint=\"REST\",model_name=\"m\"} 1"), page);
    assertFalse(page.contains("API=\"Predict\",entrypoint=\"GRPC\""), "failed calls have no latency sample");
    assertTrue(page.contains(":tensorflow:serving:runtime_latency_count{API=\"predict\",model_name=\"m\",runtime=\"TF1\"} 1"), page);
    assertTrue(page.contains(":tensorflow:cc:saved_model:load_attempt_count{model_path=\"/models/m/1\",status=\"success\"} 1"), page);
    assertTrue(page.contains(":tensorflow:serving:model_warmup_records_read{model_path=\"/models/m/1\",status=\"OK\"} 3"), page);
    assertTrue(page.contains(":tensorflow:serving:batching_session:padding_size_sum{execution_batch_size=\"4\"} 1"), page);
    assertTrue(page.contains("tensorflow_serving_request_latency_ms_count{model=\"m\"} 1"), page);
    assertTrue(page.contains("tensorflow_serving_batch_size_sum{model=\"m\"} 3"), page);
    assertTrue(page.contains("tensorflow_serving_model_warmup_time_ms_count{model=\"m\"} 1"), page);
    assertTrue(page.contains("jvm_memory_used_bytes"), page);
    assertTrue(page.contains("tessera_native_host_buffer_bytes"), page);
  }

  @Test
  void grpcMetadataIsNotCountedAndLabelValuesCannotAddLines() throws Exception {
    ServingMetrics metrics = new ServingMetrics();
    metrics.recordRequest("m", "GetModelMetadata", "GRPC", "OK", 1_000);
    metrics.recordRequest("a\"b\\c\nd", "", "REST", "NOT_FOUND", 1_000);
    String page = page(metrics);
    assertFalse(page.contains("model_name=\"m\""), page);
    assertTrue(page.contains(":tensorflow:serving:request_count{model_name=\"a\\\"b\\\\c\\nd\",status=\"NOT_FOUND\"} 1\n"), page);
  }

  @Test
  void requestCountSeriesAreBoundedWhenClientsNameUnknownModels() throws Exception {
    ServingMetrics metrics = new ServingMetrics();
    for (int i = 0; i < TfCounterFamily.MAX_SERIES + 500; i++) {
      metrics.recordRequest("no-such-model-" + i, "predict", "REST", "NOT_FOUND", 1_000);
    }
    String page = page(metrics);
    assertTrue(page.contains(":tensorflow:serving:request_count{model_name=\"no-such-model-0\",status=\"NOT_FOUND\"} 1"), "early series kept");
    assertTrue(page.contains(":tensorflow:serving:request_count{model_name=\"__overflow__\",status=\"__overflow__\"} 500"), "the rest folded");
    assertFalse(page.contains("no-such-model-" + (TfCounterFamily.MAX_SERIES + 10) + "\""), "no series beyond the cap");
  }

  @Test
  void bucketLabelsAreShortestDecimalsNeverRawDoublesOrENotation() throws Exception {
    ServingMetrics metrics = new ServingMetrics();
    metrics.recordRequest("m", "predict", "REST", "OK", 2_000_000);
    String page = page(metrics);
    String series = ":tensorflow:serving:request_latency_bucket{API=\"predict\",entrypoint=\"REST\",model_name=\"m\",";
    assertTrue(page.contains(series + "le=\"32.4\"}"), page);
    assertTrue(page.contains(series + "le=\"1474755971.29607\"}"), page);
    assertTrue(page.contains(series + "le=\"+Inf\"}"), page);
    assertFalse(page.matches("(?s).*le=\"[^\"]*E[0-9][^\"]*\".*"), "no E notation: " + page);
    assertFalse(page.matches("(?s).*le=\"[^\"]*000000000[0-9][^\"]*\".*"), "no rounding noise: " + page);
  }

  @Test
  void operatorMetricsFollowRequestsVersionsAndBuild() throws Exception {
    ServingMetrics metrics = new ServingMetrics();
    Runnable first = metrics.operators().startRequest("m", "predict", "REST");
    Runnable second = metrics.operators().startRequest("m", "predict", "REST");
    String series = "tessera_requests_in_flight{API=\"predict\",entrypoint=\"REST\",model_name=\"m\"} ";
    assertTrue(page(metrics).contains(series + "2.0\n"), page(metrics));
    first.run();
    second.run();
    assertTrue(page(metrics).contains(series + "0.0\n"), page(metrics));

    metrics.operators().exportBuildInfo("9.9", "2.18.0");
    metrics.operators().exportModelVersions(() -> java.util.List.of(
        new OperatorMetrics.VersionSample("m", 2, "AVAILABLE", 1.5, 3),
        new OperatorMetrics.VersionSample("m", 3, "LOADING", Double.NaN, -1)));
    metrics.images().recordDecode("m", 2048, 900_000);
    metrics.images().recordDecodeFailure("m", "INVALID_ARGUMENT", 50_000);
    String page = page(metrics);
    assertTrue(page.contains("tessera_build_info{java_version=\"" + System.getProperty("java.version")
        + "\",tensorflow_version=\"2.18.0\",version=\"9.9\"} 1"), page);
    assertTrue(page.contains("tessera_model_version_state{model_name=\"m\",state=\"AVAILABLE\",version=\"2\"} 1.0"), page);
    assertTrue(page.contains("tessera_model_version_state{model_name=\"m\",state=\"LOADING\",version=\"2\"} 0.0"), page);
    assertTrue(page.contains("tessera_model_version_state{model_name=\"m\",state=\"LOADING\",version=\"3\"} 1.0"), page);
    assertTrue(page.contains("tessera_model_load_seconds{model_name=\"m\",version=\"2\"} 1.5"), page);
    assertFalse(page.contains("tessera_model_load_seconds{model_name=\"m\",version=\"3\"}"), "not loaded yet: " + page);
    assertTrue(page.contains("tessera_batch_queue_depth{model_name=\"m\",version=\"2\"} 3.0"), page);
    assertFalse(page.contains("tessera_batch_queue_depth{model_name=\"m\",version=\"3\"}"), page);
    assertTrue(page.contains("tessera_image_decode_seconds_count{model_name=\"m\",status=\"OK\"} 1"), page);
    assertTrue(page.contains("tessera_image_decode_seconds_count{model_name=\"m\",status=\"INVALID_ARGUMENT\"} 1"), page);
    assertTrue(page.contains("process_resident_memory_bytes"), "RSS for the dashboard: " + page);
  }
}
