package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tensorflow.serving.Model.ModelSpec;
import tensorflow.serving.Predict.PredictRequest;
import tensorflow.serving.PredictionServiceGrpc;

/** --enable_batching on a real server: concurrent REST and gRPC clients get their own exact answers. */
class BatchingIT {
  @Test
  void concurrentClientsWithTfServingsBatchingConfig() throws Exception {
    try (TestServer server = TestServer.start("default", TestServer.shared("testdata/saved_model_half_plus_two_cpu"),
        "--enable_batching", "--batching_parameters_file=" + TestServer.shared("testdata/batching_config.txt"))) {
      hammer(server);
    }
  }

  @Test
  void theDeploymentGuidesJsonBatchingConfigLoads(@TempDir Path dir) throws Exception {
    Path config = Files.writeString(dir.resolve("batch_config.json"),
        "{\n\"max_batch_size\": 32,\n\"batch_timeout_micros\": 100000,\n\"num_batch_threads\": 4\n}\n");
    try (TestServer server = TestServer.start("default", TestServer.shared("testdata/saved_model_half_plus_two_cpu"),
        "--enable_batching", "--batching_parameters_file=" + config,
        "--monitoring_config_file=" + TestServer.shared("testdata/monitoring_config.txt"))) {
      hammer(server);
      // The guide's and TF Serving's batching metrics, one observation per executed batch.
      String page = server.get("/monitoring/prometheus/metrics").body();
      assertTrue(page.contains("tensorflow_serving_batch_size_count{model=\"default\"}"), page);
      assertTrue(page.contains(":tensorflow:serving:batching_session:input_batch_size_count"), page);
      assertTrue(page.contains(":tensorflow:serving:batching_session:queuing_latency_count{thread_pool_name=\"model_server_batch_threads\"}"), page);
    }
  }

  @Test
  void perModelParametersBatchOnlyVersionsThatHaveThem(@TempDir Path dir) throws Exception {
    Path batched = dir.resolve("batched");
    Path plain = dir.resolve("plain");
    ModelDirs.copyTree(TestServer.shared("testdata/saved_model_half_plus_two_cpu/00000123"), batched.resolve("1"));
    ModelDirs.copyTree(TestServer.shared("testdata/saved_model_half_plus_two_cpu/00000123"), plain.resolve("1"));
    Files.writeString(batched.resolve("1/batching_params.pbtxt"), "max_batch_size { value: 8 }\n");
    Path config = Files.writeString(dir.resolve("models.config"), "model_config_list {\n"
        + "  config { name: \"batched\" base_path: \"" + batched + "\" model_platform: \"tensorflow\" }\n"
        + "  config { name: \"plain\" base_path: \"" + plain + "\" model_platform: \"tensorflow\" }\n}\n");
    try (TestServer server = TestServer.startPolling(java.time.Duration.ZERO, "--model_config_file=" + config,
        "--enable_batching", "--enable_per_model_batching_parameters",
        "--monitoring_config_file=" + TestServer.shared("testdata/monitoring_config.txt"))) {
      for (String model : new String[] {"batched", "plain"}) {
        assertEquals(200, server.post("/v1/models/" + model + ":predict", "{\"instances\": [[1.0]]}").statusCode());
      }
      String page = server.get("/monitoring/prometheus/metrics").body();
      assertTrue(page.contains("tensorflow_serving_batch_size_count{model=\"batched\"}"), page);
      assertTrue(!page.contains("tensorflow_serving_batch_size_count{model=\"plain\"}"), page);
    }
  }

  private static void hammer(TestServer server) throws Exception {
    ExecutorService clients = Executors.newFixedThreadPool(6);
    List<Future<?>> done = new ArrayList<>();
    for (int c = 0; c < 6; c++) {
      int client = c;
      done.add(clients.submit(() -> {
        for (int i = 0; i < 20; i++) {
          float x = client * 100 + i;
          if (client % 2 == 0) {
            HttpResponse<String> r = server.post("/v1/models/default:predict",
                "{\"instances\": [[" + x + "], [" + (x + 1) + "]]}");
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(TestServer.JSON.readTree("{\"predictions\": [[" + (0.5f * x + 2) + "], [" + (0.5f * (x + 1) + 2) + "]]}"),
                TestServer.json(r));
          } else {
            List<Float> y = PredictionServiceGrpc.newBlockingStub(server.channel()).predict(PredictRequest.newBuilder()
                .setModelSpec(ModelSpec.newBuilder().setName("default")).putInputs("x", HalfPlusTwoIT.floats(x)).build())
                .getOutputsOrThrow("y").getFloatValList();
            assertEquals(List.of(0.5f * x + 2), y);
          }
        }
        return null;
      }));
    }
    for (Future<?> f : done) {
      f.get();
    }
    clients.shutdown();
  }
}
