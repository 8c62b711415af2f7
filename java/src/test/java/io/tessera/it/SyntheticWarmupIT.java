package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --synthesize_warmup_requests: versions without a warmup file run N requests built from their
 * SignatureDef before they serve (half_plus_two, mobilenet_v2 as floats, and mobilenet_v2 as an
 * image model, whose request is a generated image through the decode path); a version with a
 * warmup file replays the file instead. Counted from the server's own metrics.
 */
class SyntheticWarmupIT {
  private static String model(String name, Path base) {
    return "config { name: \"" + name + "\" base_path: \"" + base + "\" model_platform: \"tensorflow\" }";
  }

  @Test
  void versionsWithoutAWarmupFileRunTheSyntheticRequests(@TempDir Path dir) throws Exception {
    Path image = ImageModelFixture.create(Files.createDirectories(dir.resolve("image")));
    Path withFile = TestServer.shared("testdata/saved_model_half_plus_two_cpu_warmup");
    Path config = Files.writeString(dir.resolve("models.config"), "model_config_list { "
        + model("hp2", TestServer.shared("testdata/saved_model_half_plus_two_cpu"))
        + model("mobilenet", TestServer.shared("models/mobilenet_v2"))
        + model("image", image)
        + model("warm", withFile) + " }");
    try (LogCapture log = new LogCapture();
        TestServer server = TestServer.startPolling(Duration.ZERO, "--model_config_file=" + config,
            "--synthesize_warmup_requests=3",
            "--monitoring_config_file=" + TestServer.shared("testdata/monitoring_config.txt"))) {
      HttpResponse<String> metrics = server.get("/monitoring/prometheus/metrics");
      assertEquals(200, metrics.statusCode());
      String page = metrics.body();
      for (String m : new String[] {"hp2", "mobilenet", "image"}) {
        assertEquals(3, sample(page, ":tensorflow:serving:runtime_latency_count{API=\"Predict\",model_name=\"" + m
            + "\",runtime=\"TF1\"}"), m + ": " + page);
      }
      // The file's 3 records (predict, classify, regress) ran, no synthetic request.
      assertEquals(1, sample(page, ":tensorflow:serving:runtime_latency_count{API=\"Predict\",model_name=\"warm\","
          + "runtime=\"TF1\"}"), page);
      assertEquals(1, sample(page, ":tensorflow:serving:runtime_latency_count{API=\"Classify\",model_name=\"warm\","
          + "runtime=\"TF1\"}"), page);
      assertTrue(page.contains(":tensorflow:serving:model_warmup_records_read{model_path=\"" + image.resolve("1")
          + "\",status=\"OK\"} 3"), page);
      assertTrue(page.contains(":tensorflow:serving:model_warmup_latency_count{model_path=\"" + image.resolve("1")
          + "\",status=\"OK\"} 1"), page);
      assertTrue(log.first("Synthetic warmup of {name: image").contains("3 request(s) on signature serving_default "
          + "(a generated 16x16 PNG through the image path)"), log.toString());
      assertTrue(log.first("Synthetic warmup of {name: mobilenet").contains("3 request(s) on signature serving_default,"),
          log.toString());
      assertEquals(-1, sample(page, ":tensorflow:serving:request_count{model_name=\"image\",status=\"OK\"}"),
          "warmup is no client request");
      assertEquals(200, server.post("/v1/models/hp2:predict", "{\"instances\": [1.0]}").statusCode());
    }
  }

  /** The value of an exposition line, or -1 when the page has none. */
  private static double sample(String page, String series) {
    for (String line : page.split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim());
      }
    }
    return -1;
  }
}
