package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --platform_config_file on the real server. As TF Serving's model_servers/server.cc does, the
 * file's PlatformConfigMap replaces the session, batching, tag and warmup flags: the "tensorflow"
 * platform's SavedModelBundleSourceAdapterConfig (servables/tensorflow/
 * saved_model_bundle_source_adapter.proto) carries a SessionBundleConfig in {@code legacy_config}
 * whose session_config and batching_parameters are applied. What this server cannot honour fails
 * start-up (TF Serving's ServerCore fails too for a platform it has no adapter for).
 */
class PlatformConfigIT {
  private static final Path MODEL = TestServer.shared("testdata/saved_model_half_plus_two_cpu");
  private static final String ANY = "[type.googleapis.com/tensorflow.serving.SavedModelBundleSourceAdapterConfig]";

  static String platformConfig(String legacyConfig) {
    return "platform_configs {\n  key: \"tensorflow\"\n  value {\n    source_adapter_config {\n      " + ANY
        + " {\n        legacy_config {\n" + legacyConfig + "\n        }\n      }\n    }\n  }\n}\n";
  }

  @Test
  void sessionThreadsAndBatchingComeFromThePlatformConfig(@TempDir Path dir) throws Exception {
    String batching = "batching_parameters { max_batch_size { value: 4 } batch_timeout_micros { value: 1000 } "
        + "num_batch_threads { value: 2 } }";
    Path few = Files.writeString(dir.resolve("few.txt"), platformConfig(
        "session_config { intra_op_parallelism_threads: 1 inter_op_parallelism_threads: 1 }\n" + batching));
    Path many = Files.writeString(dir.resolve("many.txt"), platformConfig(
        "session_config { intra_op_parallelism_threads: 6 inter_op_parallelism_threads: 6 }\n" + batching));
    long fewThreads = tensorflowThreadsOfAServerWith(few);
    long manyThreads = tensorflowThreadsOfAServerWith(many);
    System.out.println("PlatformConfigIT: threads made while loading: " + fewThreads + " (1+1 session threads), "
        + manyThreads + " (6+6)");
    // TensorFlow's two session pools grow by 5 threads each (and the command line's own
    // --tensorflow_*_parallelism=2, which the platform config replaces, would make them equal).
    assertTrue(manyThreads - fewThreads >= 10, fewThreads + " vs " + manyThreads);
  }

  /**
   * Starts a server (its own process) with {@code config}, checks that it batches and warns about
   * the flags the file replaces, and counts the native threads created while the model loaded
   * (TensorFlow's threads inherit the name of the manager thread that created them).
   */
  private static long tensorflowThreadsOfAServerWith(Path config) throws Exception {
    try (ServerProcess server = ServerProcess.start("", "/v1/models/default", "--model_base_path=" + MODEL,
        "--platform_config_file=" + config, "--tensorflow_intra_op_parallelism=2",
        "--tensorflow_inter_op_parallelism=2", "--enable_batching",
        "--monitoring_config_file=" + TestServer.shared("testdata/monitoring_config.txt"))) {
      String log = server.output();
      assertTrue(log.contains("--platform_config_file is set, so TF Serving ignores --enable_batching, "
          + "--tensorflow_intra_op_parallelism, --tensorflow_inter_op_parallelism and so does this server"), log);
      assertTrue(log.contains("Batching default (00000123) with --platform_config_file " + config), log);
      var http = java.net.http.HttpClient.newHttpClient();
      var predict = http.send(java.net.http.HttpRequest.newBuilder(
          java.net.URI.create(server.restBase() + "/v1/models/default:predict"))
          .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"instances\": [1.0, 2.0]}")).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(200, predict.statusCode(), predict.body());
      assertEquals(TestServer.JSON.readTree("{\"predictions\": [2.5, 3.0]}"), TestServer.JSON.readTree(predict.body()));
      String metrics = http.send(java.net.http.HttpRequest.newBuilder(
          java.net.URI.create(server.restBase() + "/monitoring/prometheus/metrics")).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString()).body();
      assertTrue(metrics.contains("tensorflow_serving_batch_size_count{model=\"default\"}"), metrics);
      long named = 0;
      try (var tasks = Files.list(Path.of("/proc/" + server.pid() + "/task"))) {
        for (Path task : (Iterable<Path>) tasks::iterator) {
          if (Files.readString(task.resolve("comm")).strip().startsWith("tessera-manage")) {
            named++;
          }
        }
      }
      return named;
    }
  }

  @Test
  void platformConfigsThisServerCannotHonourFailStartup(@TempDir Path dir) throws Exception {
    Map<String, String> refused = new LinkedHashMap<>();
    refused.put(platformConfig("session_target: \"grpc://elsewhere:8470\""),
        "this server cannot apply session_target (remote TensorFlow sessions)");
    refused.put(platformConfig("enable_session_metadata: true prefer_tflite_model: true"),
        "this server cannot apply enable_session_metadata; prefer_tflite_model (TensorFlow Lite)");
    refused.put(platformConfig("model_warmup_options { num_model_warmup_threads { value: 4 } }"),
        "this server cannot apply model_warmup_options.num_model_warmup_threads > 1");
    refused.put(platformConfig("").replace("key: \"tensorflow\"", "key: \"tflite\""),
        "platform \"tflite\" is not supported; this server serves only platform \"tensorflow\"");
    refused.put("platform_configs { key: \"tensorflow\" value { source_adapter_config { "
        + "type_url: \"type.googleapis.com/tensorflow.serving.SessionBundleSourceAdapterConfig\" } } }",
        "platform tensorflow has source_adapter_config of type tensorflow.serving.SessionBundleSourceAdapterConfig; "
            + "this server supports only tensorflow.serving.SavedModelBundleSourceAdapterConfig");
    refused.put("", "PlatformConfigMap has no entry for platform tensorflow");
    int n = 0;
    for (Map.Entry<String, String> e : refused.entrySet()) {
      Path file = Files.writeString(dir.resolve("platform" + n++ + ".txt"), e.getKey());
      ServingException error = assertThrows(ServingException.class,
          () -> TestServer.start("default", MODEL, "--platform_config_file=" + file), e.getValue());
      assertEquals(StatusCode.INVALID_ARGUMENT, error.code());
      assertEquals("--platform_config_file " + file + ": " + e.getValue(),
          error.getMessage().replaceAll(" \\(warmup replays on one thread\\)$", ""));
    }
    Path unknownType = Files.writeString(dir.resolve("unknown-type.txt"), platformConfig("")
        .replace("SavedModelBundleSourceAdapterConfig", "TfLiteSourceAdapterConfig"));
    ServingException parse = assertThrows(ServingException.class,
        () -> TestServer.start("default", MODEL, "--platform_config_file=" + unknownType));
    assertTrue(parse.getMessage().startsWith("Error parsing text-format tensorflow.serving.PlatformConfigMap in "
        + unknownType), parse.getMessage());
    assertTrue(parse.getMessage().contains("tensorflow.serving.TfLiteSourceAdapterConfig"), parse.getMessage());
  }

  @Test
  void theSessionBundleConfigsDefaultsApplyNotTheFlagsDefaults(@TempDir Path dir) throws Exception {
    // In a SessionBundleConfig warmup and metagraph trimming are off unless set (proto3 defaults),
    // and batching is on exactly when batching_parameters is present.
    Path warmupModel = TestServer.shared("testdata/saved_model_half_plus_two_cpu_warmup");
    Path plain = Files.writeString(dir.resolve("plain.txt"), platformConfig(""));
    try (LogCapture log = new LogCapture();
        TestServer server = TestServer.start("default", warmupModel, "--platform_config_file=" + plain,
            "--enable_batching=true")) {
      assertEquals(200, server.post("/v1/models/default:predict", "{\"instances\": [1.0]}").statusCode());
      assertEquals(1, log.count("Model warmup is disabled"), log.toString());
      assertEquals(0, log.count("Batching enabled"), log.toString());
    }
    Path warm = Files.writeString(dir.resolve("warm.txt"), platformConfig(
        "enable_model_warmup: true model_warmup_options { num_request_iterations { value: 2 } }"));
    try (LogCapture log = new LogCapture();
        TestServer server = TestServer.start("default", warmupModel, "--platform_config_file=" + warm,
            "--enable_model_warmup=false")) {
      assertEquals(0, log.count("Model warmup is disabled"), log.toString());
      assertEquals(1, log.count(" records, 2 iteration(s), "), log.toString());
      assertEquals(200, server.post("/v1/models/default:predict", "{\"instances\": [1.0]}").statusCode());
    }
  }
}
