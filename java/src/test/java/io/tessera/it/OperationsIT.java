package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tensorflow.serving.Model.ModelSpec;
import tensorflow.serving.Predict.PredictRequest;
import tensorflow.serving.PredictionServiceGrpc;

/** Metrics, probes, health and limits on a real server, as an operator scrapes and probes them. */
class OperationsIT {
  private static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start("default", TestServer.shared("testdata/saved_model_half_plus_two_cpu"),
        "--monitoring_config_file=" + TestServer.shared("testdata/monitoring_config.txt"),
        "--enable_grpc_healthcheck_service",
        "--enable_metrics", "--metrics_address=127.0.0.1:0",
        "--rest_api_max_body_bytes=4096");
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
    TestServer.assertNoLeaks();
  }

  @Test
  void prometheusPageCountsRealRequestsWithTfServingNames() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertEquals(200, server.post("/v1/models/default:predict", "{\"instances\": [1.0]}").statusCode());
    }
    assertEquals(404, server.post("/v1/models/missing:predict", "{\"instances\": [1.0]}").statusCode());
    PredictionServiceGrpc.newBlockingStub(server.channel()).predict(PredictRequest.newBuilder()
        .setModelSpec(ModelSpec.newBuilder().setName("default"))
        .putInputs("x", HalfPlusTwoIT.floats(1f)).build());

    HttpResponse<String> page = server.get("/monitoring/prometheus/metrics");
    assertEquals(200, page.statusCode());
    assertTrue(page.headers().firstValue("content-type").orElse("").startsWith("text/plain"));
    String text = page.body();
    assertTrue(text.contains("# TYPE"), text);
    assertTrue(sample(text, ":tensorflow:serving:request_count{model_name=\"default\",status=\"OK\"}") >= 4, text);
    assertEquals(1.0, sample(text, ":tensorflow:serving:request_count{model_name=\"missing\",status=\"NOT_FOUND\"}"), text);
    assertTrue(sample(text, ":tensorflow:serving:request_latency_count{API=\"predict\",entrypoint=\"REST\",model_name=\"default\"}") >= 3, text);
    assertEquals(1.0, sample(text, ":tensorflow:serving:request_latency_count{API=\"Predict\",entrypoint=\"GRPC\",model_name=\"default\"}"), text);
    assertTrue(sample(text, ":tensorflow:serving:runtime_latency_count{API=\"predict\",model_name=\"default\",runtime=\"TF1\"}") >= 3, text);
    assertTrue(text.contains(":tensorflow:cc:saved_model:load_attempt_count{model_path=\""), text);
    // Tessera's operator metrics: version state, load time, requests in flight (none now), build.
    assertEquals(1.0, sample(text, "tessera_model_version_state{model_name=\"default\",state=\"AVAILABLE\",version=\"123\"}"), text);
    assertEquals(0.0, sample(text, "tessera_model_version_state{model_name=\"default\",state=\"LOADING\",version=\"123\"}"), text);
    assertTrue(sample(text, "tessera_model_load_seconds{model_name=\"default\",version=\"123\"}") > 0, text);
    assertEquals(0.0, sample(text, "tessera_requests_in_flight{API=\"predict\",entrypoint=\"REST\",model_name=\"default\"}"), text);
    assertTrue(text.contains("tessera_build_info{java_version=\""), text);

    // The deployment guide's listener and metric names.
    HttpResponse<String> guide = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
        "http://127.0.0.1:" + server.server().metricsPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, guide.statusCode());
    assertTrue(sample(guide.body(), "tensorflow_serving_request_latency_ms_count{model=\"default\"}") >= 4, guide.body());
    assertTrue(guide.body().contains("tensorflow_serving_model_warmup_time_ms"), guide.body());
  }

  /**
   * request_count as TF Serving writes it (util/prometheus_exporter.cc SerializeScalar; the metric
   * from servables/tensorflow/util.cc) and counts it: every REST call, status and metadata GETs
   * included (model_servers/http_server.cc), but on gRPC only Predict, Classify and Regress
   * (model_servers/prediction_service_impl.cc), so GetModelMetadata is not counted.
   */
  @Test
  void requestCountIsATfServingCounterCountingWhatTfServingCounts() throws Exception {
    String before = server.get("/monitoring/prometheus/metrics").body();
    String series = ":tensorflow:serving:request_count{model_name=\"default\",status=\"OK\"}";
    double ok = Math.max(0, sample(before, series));
    assertEquals(200, server.get("/v1/models/default").statusCode());
    assertEquals(200, server.get("/v1/models/default/metadata").statusCode());
    PredictionServiceGrpc.newBlockingStub(server.channel()).getModelMetadata(
        tensorflow.serving.GetModelMetadata.GetModelMetadataRequest.newBuilder()
            .setModelSpec(ModelSpec.newBuilder().setName("default")).addMetadataField("signature_def").build());
    String text = server.get("/monitoring/prometheus/metrics").body();
    assertTrue(text.contains("\n# TYPE :tensorflow:serving:request_count counter\n"), text);
    assertTrue(!text.contains("request_count_total") && !text.contains("# TYPE :tensorflow:serving:request_count untyped"), text);
    assertTrue(text.matches("(?s).*\n" + java.util.regex.Pattern.quote(series) + " [0-9]+\n.*"), "integer value: " + text);
    assertEquals(ok + 2, sample(text, series), "two REST GETs counted, gRPC GetModelMetadata not: " + text);
    assertTrue(sample(text, ":tensorflow:serving:request_latency_count{API=\"\",entrypoint=\"REST\",model_name=\"default\"}") >= 2, text);
    assertEquals(-1, sample(text, ":tensorflow:serving:request_latency_count{API=\"GetModelMetadata\",entrypoint=\"GRPC\",model_name=\"default\"}"), text);
    assertTrue(text.contains("# TYPE :tensorflow:cc:saved_model:load_attempt_count counter\n"), text);
  }

  @Test
  void probesAndGrpcHealthFollowModelAvailability() throws Exception {
    assertEquals(200, server.get("/healthz").statusCode());
    HttpResponse<String> ready = server.get("/readyz");
    assertEquals(200, ready.statusCode(), ready.body());
    assertEquals(TestServer.JSON.readTree("{\"ready\": true, \"models\": [\"default\"]}"), TestServer.json(ready));
    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(server.channel());
    assertEquals(ServingStatus.SERVING, health.check(HealthCheckRequest.newBuilder().build()).getStatus());
    assertEquals(ServingStatus.SERVING, health.check(HealthCheckRequest.newBuilder()
        .setService("tensorflow.serving.PredictionService").build()).getStatus());
  }

  @Test
  void healthGoesDownWhenTheModelIsUnloadedAndBackUp(@TempDir Path base) throws Exception {
    Path version = base.resolve("1");
    ModelDirs.copyTree(TestServer.shared("testdata/saved_model_half_plus_two_cpu/00000123"), version);
    try (TestServer watched = TestServer.startPolling(Duration.ofMillis(200), "--model_name=m",
        "--model_base_path=" + base, "--enable_grpc_healthcheck_service")) {
      assertEquals(200, watched.get("/readyz").statusCode());
      Path hidden = base.resolveSibling(base.getFileName() + "-hidden");
      Files.move(version, hidden);
      waitFor(() -> watched.get("/readyz").statusCode() == 503);
      HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(watched.channel());
      waitFor(() -> health.check(HealthCheckRequest.newBuilder().build()).getStatus() == ServingStatus.NOT_SERVING);
      assertEquals(200, watched.get("/healthz").statusCode(), "still alive while not ready");
      Files.move(hidden, version);
      waitFor(() -> watched.get("/readyz").statusCode() == 200);
      waitFor(() -> health.check(HealthCheckRequest.newBuilder().build()).getStatus() == ServingStatus.SERVING);
    }
  }

  @Test
  void devicesPageShowsPlacementAndHostAllocator() throws Exception {
    HttpResponse<String> r = server.get("/tessera/devices");
    assertEquals(200, r.statusCode(), r.body());
    com.fasterxml.jackson.databind.JsonNode body = TestServer.json(r);
    assertEquals(io.tessera.nativebridge.HostBuffer.allocatorName(), body.get("host_allocator").asText());
    assertEquals(123, body.get("models").get("default").get("version").asLong());
    assertTrue(body.get("models").get("default").get("devices").get(0).asText().contains("device:CPU:0"), r.body());
  }

  @Test
  void oversizedBodyIsA413InTfServingsFormat() throws Exception {
    // Bodies from just over the limit to far over it: the 413 must reach the client every time
    // (closing with unread bytes would turn it into a TCP reset).
    for (int values : new int[] {1000, 2000, 50_000, 400_000}) {
      for (int attempt = 0; attempt < 5; attempt++) {
        HttpResponse<String> r = server.post("/v1/models/default:predict",
            "{\"instances\": [" + "1.0, ".repeat(values) + "1.0]}");
        assertEquals(413, r.statusCode());
        assertTrue(TestServer.json(r).get("error").asText().contains("--rest_api_max_body_bytes"), r.body());
      }
    }
    assertEquals(200, server.post("/v1/models/default:predict", "{\"instances\": [1.0]}").statusCode());
  }

  /** TF Serving's model_servers/http_server.cc answers only /v1/ and the monitoring path: GET / is a 404. */
  @Test
  void demoPageIsServedUnderTesseraWithTheModelNameAndRootIsA404() throws Exception {
    assertEquals(404, server.get("/").statusCode());
    assertEquals(404, server.get("/index.html").statusCode());
    HttpResponse<String> page = server.get("/tessera/demo");
    assertEquals(200, page.statusCode());
    assertTrue(page.headers().firstValue("content-type").orElse("").startsWith("text/html"));
    assertTrue(page.body().contains("<meta name=\"tessera-model\" content=\"default\">"), page.body());
    assertEquals(404, server.get("/nope").statusCode());
  }

  private static double sample(String page, String series) {
    for (String line : page.split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim());
      }
    }
    return -1;
  }

  interface Check {
    boolean ok() throws Exception;
  }

  static void waitFor(Check check) throws Exception {
    waitFor(check, Duration.ofSeconds(20));
  }

  static void waitFor(Check check, Duration limit) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!check.ok()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not reached in " + limit.toSeconds() + " s");
      }
      Thread.sleep(100);
    }
  }
}
