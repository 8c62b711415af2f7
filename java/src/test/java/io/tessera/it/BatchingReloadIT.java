package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Batching parameters reloaded while clients run (issue 21): a rewritten --batching_parameters_file
 * or per-version batching_params.pbtxt reaches the live batching session at the next poll, no
 * request fails, and the per-queue metrics show the new limits (static, then adaptive with a p99
 * target); a file that no longer parses keeps the running parameters.
 */
class BatchingReloadIT {
  private static final Duration POLL = Duration.ofMillis(200);

  @Test
  void serverWideFileReloadsUnderLoadWithoutAFailedRequest(@TempDir Path dir) throws Exception {
    Path params = Files.writeString(dir.resolve("batching.txt"),
        "max_batch_size { value: 8 }\nbatch_timeout_micros { value: 2000 }\nnum_batch_threads { value: 2 }\n");
    try (TestServer server = TestServer.startPolling(POLL, "--model_name=default",
        "--model_base_path=" + TestServer.shared("testdata/saved_model_half_plus_two_cpu"), "--enable_batching",
        "--batching_parameters_file=" + params,
        "--monitoring_config_file=" + TestServer.shared("testdata/monitoring_config.txt"));
        Load load = new Load(server, "default")) {
      awaitGauge(server, "tessera_batching_batch_size_limit", "default", 8);
      Files.writeString(params, "max_batch_size { value: 4 }\nbatch_timeout_micros { value: 1000 }\n"
          + "num_batch_threads { value: 2 }\n");
      awaitGauge(server, "tessera_batching_batch_size_limit", "default", 4);
      assertEquals(1000, gauge(server, "tessera_batching_timeout_micros", "default"));
      Files.writeString(params, "max_batch_size { value: 16 }\nnum_batch_threads { value: 2 }\n"
          + "target_p99_latency_micros { value: 50000 }\n");
      awaitGauge(server, "tessera_batching_target_reachable", "default", 1);
      Files.writeString(params, "max_batch_size { value: -3 }\n");  // invalid: ignored
      Thread.sleep(3 * POLL.toMillis());
      assertEquals(1, gauge(server, "tessera_batching_target_reachable", "default"));
      long requests = load.stop();
      assertTrue(requests > 20, "the clients kept running: " + requests);
      String page = server.get("/monitoring/prometheus/metrics").body();
      assertTrue(page.contains("tessera_batching_queue_wait_micros_count{model_name=\"default\"}"), page);
      assertTrue(page.contains("tessera_batching_run_micros_count{model_name=\"default\"}"), page);
      assertTrue(page.contains("tessera_batching_arrival_rows_per_second{model_name=\"default\",version=\"123\"}"), page);
    }
  }

  @Test
  void perModelFileReloadsUnderLoad(@TempDir Path dir) throws Exception {
    Path model = dir.resolve("m");
    ModelDirs.copyTree(TestServer.shared("testdata/saved_model_half_plus_two_cpu/00000123"), model.resolve("1"));
    Path params = Files.writeString(model.resolve("1/batching_params.pbtxt"), "max_batch_size { value: 8 }\n");
    try (TestServer server = TestServer.startPolling(POLL, "--model_name=m", "--model_base_path=" + model,
        "--enable_batching", "--enable_per_model_batching_parameters",
        "--monitoring_config_file=" + TestServer.shared("testdata/monitoring_config.txt"));
        Load load = new Load(server, "m")) {
      awaitGauge(server, "tessera_batching_batch_size_limit", "m", 8);
      Files.writeString(params, "max_batch_size { value: 2 }\nbatch_timeout_micros { value: 500 }\n");
      awaitGauge(server, "tessera_batching_batch_size_limit", "m", 2);
      assertEquals(500, gauge(server, "tessera_batching_timeout_micros", "m"));
      assertTrue(load.stop() > 20);
    }
  }

  /** Four REST clients in a loop until stopped; every answer must be 200 with the right value. */
  private static final class Load implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong answered = new AtomicLong();
    private final ExecutorService clients = Executors.newFixedThreadPool(4);
    private final List<Future<?>> done = new ArrayList<>();

    Load(TestServer server, String model) {
      for (int c = 0; c < 4; c++) {
        int client = c;
        done.add(clients.submit(() -> {
          for (int i = 0; running.get(); i++) {
            float x = client * 1000 + i % 1000;
            HttpResponse<String> r = server.post("/v1/models/" + model + ":predict", "{\"instances\": [[" + x + "]]}");
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(TestServer.JSON.readTree("{\"predictions\": [[" + (0.5f * x + 2) + "]]}"), TestServer.json(r));
            answered.incrementAndGet();
          }
          return null;
        }));
      }
    }

    /** Stops the clients; rethrows the first failed request. Returns how many were answered. */
    long stop() throws Exception {
      running.set(false);
      for (Future<?> f : done) {
        f.get();
      }
      return answered.get();
    }

    @Override
    public void close() {
      running.set(false);
      clients.shutdownNow();
    }
  }

  private static void awaitGauge(TestServer server, String name, String model, double expected) throws Exception {
    double seen = Double.NaN;
    for (int i = 0; i < 100; i++) {
      seen = gauge(server, name, model);
      if (seen == expected) {
        return;
      }
      Thread.sleep(100);
    }
    assertEquals(expected, seen, name + " of " + model);
  }

  private static double gauge(TestServer server, String name, String model) throws Exception {
    String page = server.get("/monitoring/prometheus/metrics").body();
    Matcher m = Pattern.compile("(?m)^" + name + "\\{model_name=\"" + model + "\",version=\"\\d+\"} (\\S+)$").matcher(page);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }
}
