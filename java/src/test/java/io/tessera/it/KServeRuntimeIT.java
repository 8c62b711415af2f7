package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.server.FlagParser;
import io.tessera.server.ServerFlags;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/kserve's ClusterServingRuntime runs the server with the args it lists: every one is a
 * flag the server knows with a valid value, and a server started with them (KServe's
 * {{.Name}} and /mnt/models filled in; the fixed ports made ephemeral, as this machine is shared)
 * answers TF Serving's API and the Open Inference Protocol for the model,
 * and serves metrics where the runtime's Prometheus annotations point.
 */
class KServeRuntimeIT {
  private static final Path RUNTIME = Path.of("../deploy/kserve/cluster-serving-runtime.yaml");

  @Test
  void theRuntimesArgsServeBothProtocols(@TempDir Path dir) throws Exception {
    String yaml = Files.readString(RUNTIME);
    List<String> args = new ArrayList<>();
    boolean inArgs = false;
    for (String line : yaml.split("\n")) {
      String t = line.strip();
      if (t.equals("args:")) {
        inArgs = true;
      } else if (inArgs && t.startsWith("- --")) {
        args.add(t.substring(2));
      } else if (inArgs && !t.isEmpty()) {
        inArgs = false;
      }
    }
    assertTrue(args.containsAll(List.of("--model_name={{.Name}}", "--port=9000", "--rest_api_port=8080",
        "--model_base_path=/mnt/models", "--rest_api_timeout_in_ms=60000")), args.toString());
    FlagParser.Result parsed = FlagParser.parse(ServerFlags.ALL, args.toArray(new String[0]));
    assertNull(parsed.error());
    assertEquals(List.of(), parsed.unknown());
    String port = yaml.replaceAll("(?s).*prometheus.kserve.io/port: \"(\\d+)\".*", "$1");
    String path = yaml.replaceAll("(?s).*prometheus.kserve.io/path: \"([^\"]+)\".*", "$1");
    assertEquals("8080", port, "metrics on the REST port");
    assertTrue(args.contains("--metrics_path=" + path), path + " " + args);

    Path models = Files.createDirectories(dir.resolve("mnt/models"));
    Files.createSymbolicLink(models.resolve("123"), TestServer.shared("testdata/saved_model_half_plus_two_cpu/00000123"));
    List<String> local = new ArrayList<>();
    for (String a : args) {
      local.add(a.replace("{{.Name}}", "half_plus_two").replace("/mnt/models", models.toString()));
    }
    try (TestServer server = TestServer.startPolling(Duration.ZERO, local.toArray(new String[0]))) {
      assertEquals("[2.5,3.0]", TestServer.json(server.post("/v1/models/half_plus_two:predict",
          "{\"instances\": [1.0, 2.0]}")).get("predictions").toString());
      HttpResponse<String> v2 = server.post("/v2/models/half_plus_two/infer",
          "{\"inputs\": [{\"name\": \"x\", \"shape\": [2], \"datatype\": \"FP32\", \"data\": [1, 2]}]}");
      assertEquals(200, v2.statusCode(), v2.body());
      assertTrue(v2.body().contains("[2.5,3.0]"), v2.body());
      HttpResponse<String> metrics = server.get(path);  // the REST port: the annotations' 8080
      assertEquals(200, metrics.statusCode());
      assertTrue(metrics.body().contains("API=\"ModelInfer\""), metrics.body());
    }
  }
}
