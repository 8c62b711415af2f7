package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.TextFormat;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tessera.status.ServingException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.framework.DataType;
import org.tensorflow.framework.TensorProto;
import org.tensorflow.framework.TensorShapeProto;
import tensorflow.serving.Model.ModelSpec;
import tensorflow.serving.ModelManagement.ReloadConfigRequest;
import tensorflow.serving.ModelManagement.ReloadConfigResponse;
import tensorflow.serving.ModelServerConfigOuterClass.ModelServerConfig;
import tensorflow.serving.ModelServiceGrpc;
import tensorflow.serving.Predict.PredictRequest;
import tensorflow.serving.Predict.PredictResponse;
import tensorflow.serving.PredictionServiceGrpc;

/** --model_config_file, ReloadConfig over gRPC (stock client) and by polling, policies, labels. */
class ModelConfigIT {
  private static final Path TWO = TestServer.shared("testdata/saved_model_half_plus_two_cpu");
  private static final Path THREE = TestServer.shared("testdata/saved_model_half_plus_three");

  private static String model(String name, Path base, String extra) {
    return "config { name: \"" + name + "\" base_path: \"" + base + "\" model_platform: \"tensorflow\" "
        + extra + " }";
  }

  private static String list(String... models) {
    return "model_config_list { " + String.join(" ", models) + " }";
  }

  private static Path write(Path dir, String text) throws Exception {
    Path staging = Files.writeString(dir.resolve("models.config.tmp"), text);
    return Files.move(staging, dir.resolve("models.config"), StandardCopyOption.ATOMIC_MOVE);
  }

  private static ReloadConfigResponse reload(TestServer server, String text) throws Exception {
    return ModelServiceGrpc.newBlockingStub(server.channel()).handleReloadConfigRequest(
        ReloadConfigRequest.newBuilder().setConfig(TextFormat.parse(text, ModelServerConfig.class)).build());
  }

  private static String restPredict(TestServer server, String path) throws Exception {
    HttpResponse<String> r = server.post(path + ":predict", "{\"instances\": [1.0]}");
    return r.statusCode() + " " + r.body().replaceAll("\\s", "");
  }

  @Test
  void goodConfigFileServesEveryModel(@TempDir Path dir) throws Exception {
    String text = Files.readString(TestServer.shared("testdata/good_model_config.txt"))
        .replace("${TEST_HALF_PLUS_TWO_DIR}", TWO.toString())
        .replace("${TEST_HALF_PLUS_THREE_DIR}", THREE.toString());
    try (TestServer server = TestServer.startPolling(Duration.ZERO, "--model_config_file=" + write(dir, text))) {
      assertEquals("200 {\"predictions\":[2.5]}", restPredict(server, "/v1/models/half_plus_two"));
      assertEquals("200 {\"predictions\":[3.5]}", restPredict(server, "/v1/models/half_plus_three"));
      assertEquals(Map.of(123L, "AVAILABLE"), ModelDirs.states(server, "half_plus_three"));
    }
  }

  @Test
  void malformedOrUnsupportedConfigFailsStartup(@TempDir Path dir) throws Exception {
    Path bad = TestServer.shared("testdata/bad_model_config.txt");
    ServingException e = assertThrows(ServingException.class,
        () -> TestServer.startPolling(Duration.ZERO, "--model_config_file=" + bad));
    assertTrue(e.getMessage().contains("Error parsing text-format tensorflow.serving.ModelServerConfig"), e.getMessage());

    Path tflite = write(dir, list(model("m", TWO, "").replace("\"tensorflow\"", "\"tflite\"")));
    e = assertThrows(ServingException.class, () -> TestServer.startPolling(Duration.ZERO, "--model_config_file=" + tflite));
    assertTrue(e.getMessage().contains("unsupported platform tflite"), e.getMessage());
  }

  @Test
  void reloadOverGrpcAddsAndRemovesModelsSynchronously(@TempDir Path dir) throws Exception {
    try (TestServer server = TestServer.startPolling(Duration.ZERO,
        "--model_config_file=" + write(dir, list(model("two", TWO, ""))))) {
      assertEquals("200 {\"predictions\":[2.5]}", restPredict(server, "/v1/models/two"));
      ReloadConfigResponse response = reload(server, list(model("three", THREE, "")));
      assertEquals(0, response.getStatus().getErrorCodeValue());
      // Synchronous: the new model serves as soon as the RPC returns.
      assertEquals("200 {\"predictions\":[3.5]}", restPredict(server, "/v1/models/three"));
      ModelDirs.await(server, "two", 30, s -> s.equals(Map.of(123L, "END")));
      assertTrue(restPredict(server, "/v1/models/two").startsWith("404 "));

      StatusRuntimeException bad = assertThrows(StatusRuntimeException.class,
          () -> reload(server, list(model("x", Path.of("relative"), ""))));
      assertEquals(Status.Code.INVALID_ARGUMENT, bad.getStatus().getCode());
    }
  }

  @Test
  void reloadByPollingTheConfigFile(@TempDir Path dir) throws Exception {
    Path config = write(dir, list(model("two", TWO, "")));
    try (TestServer server = TestServer.startPolling(Duration.ofMillis(100), "--model_config_file=" + config,
        "--model_config_file_poll_wait_seconds=1")) {
      write(dir, list(model("two", TWO, ""), model("three", THREE, "")));
      ModelDirs.await(server, "three", 30, ModelDirs.availableExactly(123L));
      assertEquals("200 {\"predictions\":[3.5]}", restPredict(server, "/v1/models/three"));
      assertEquals(Map.of(123L, "AVAILABLE"), ModelDirs.states(server, "two"));
    }
  }

  @Test
  void versionPoliciesSelectVersionsOnDisk(@TempDir Path dir) throws Exception {
    Path base = dir.resolve("base");
    Files.createDirectories(base);
    for (long v = 1; v <= 3; v++) {
      ModelDirs.addVersion(ModelDirs.HALF_PLUS_TWO, base, v);
    }
    try (TestServer server = TestServer.startPolling(Duration.ofMillis(100),
        "--model_config_file=" + write(dir, list(model("m", base, ""))))) {
      ModelDirs.await(server, "m", 30, ModelDirs.availableExactly(3L));
      reload(server, list(model("m", base, "model_version_policy { latest { num_versions: 2 } }")));
      ModelDirs.await(server, "m", 30, ModelDirs.availableExactly(2L, 3L));
      reload(server, list(model("m", base, "model_version_policy { all {} }")));
      ModelDirs.await(server, "m", 30, ModelDirs.availableExactly(1L, 2L, 3L));
      reload(server, list(model("m", base, "model_version_policy { specific { versions: 1 versions: 3 } }")));
      ModelDirs.await(server, "m", 30, ModelDirs.availableExactly(1L, 3L));
      assertEquals("200 {\"predictions\":[2.5]}", restPredict(server, "/v1/models/m/versions/1"));
      assertTrue(restPredict(server, "/v1/models/m/versions/2").startsWith("404 "));
    }
  }

  @Test
  void versionLabelsResolveOverRestAndGrpc(@TempDir Path dir) throws Exception {
    Path base = dir.resolve("base");
    Files.createDirectories(base);
    ModelDirs.addVersion(ModelDirs.HALF_PLUS_TWO, base, 1);
    ModelDirs.addVersion(ModelDirs.HALF_PLUS_TWO, base, 2);
    String policy = "model_version_policy { specific { versions: 1 versions: 2 } } ";
    String labels = "version_labels { key: \"stable\" value: 1 } version_labels { key: \"canary\" value: 2 }";
    try (TestServer server = TestServer.startPolling(Duration.ofMillis(100),
        "--model_config_file=" + write(dir, list(model("m", base, policy + labels))))) {
      assertEquals(1, grpcPredictVersion(server, "stable"));
      assertEquals(2, grpcPredictVersion(server, "canary"));
      assertEquals("200 {\"predictions\":[2.5]}", restPredict(server, "/v1/models/m/labels/stable"));
      assertTrue(restPredict(server, "/v1/models/m/labels/nope").startsWith("400 "));
      StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class, () -> grpcPredictVersion(server, "nope"));
      assertEquals(Status.Code.INVALID_ARGUMENT, unknown.getStatus().getCode());

      // A label may not point at a version that is not AVAILABLE (flag off).
      StatusRuntimeException unavailable = assertThrows(StatusRuntimeException.class, () -> reload(server,
          list(model("m", base, policy + labels + " version_labels { key: \"next\" value: 7 }"))));
      assertEquals(Status.Code.FAILED_PRECONDITION, unavailable.getStatus().getCode());
      // Swapping labels between available versions is fine.
      reload(server, list(model("m", base, policy
          + "version_labels { key: \"stable\" value: 2 } version_labels { key: \"canary\" value: 1 }")));
      assertEquals(2, grpcPredictVersion(server, "stable"));
    }
  }

  @Test
  void labelsForUnavailableVersionsWhenAllowed(@TempDir Path dir) throws Exception {
    Path base = dir.resolve("base");
    Files.createDirectories(base);
    ModelDirs.addVersion(ModelDirs.HALF_PLUS_TWO, base, 1);
    String text = list(model("m", base, "version_labels { key: \"next\" value: 2 }"));
    try (TestServer server = TestServer.startPolling(Duration.ofMillis(100),
        "--model_config_file=" + write(dir, text), "--allow_version_labels_for_unavailable_models=true")) {
      StatusRuntimeException notYet = assertThrows(StatusRuntimeException.class, () -> grpcPredictVersion(server, "next"));
      assertEquals(Status.Code.NOT_FOUND, notYet.getStatus().getCode());
      ModelDirs.addVersion(ModelDirs.HALF_PLUS_TWO, base, 2);
      ModelDirs.await(server, "m", 30, ModelDirs.availableExactly(2L));
      assertEquals(2, grpcPredictVersion(server, "next"));
    }
  }

  private static long grpcPredictVersion(TestServer server, String label) {
    PredictResponse r = PredictionServiceGrpc.newBlockingStub(server.channel()).predict(PredictRequest.newBuilder()
        .setModelSpec(ModelSpec.newBuilder().setName("m").setVersionLabel(label))
        .putInputs("x", TensorProto.newBuilder().setDtype(DataType.DT_FLOAT)
            .setTensorShape(TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dim.newBuilder().setSize(1)))
            .addFloatVal(1.0f).build())
        .build());
    assertEquals(2.5f, r.getOutputsOrThrow("y").getFloatVal(0));
    return r.getModelSpec().getVersion().getValue();
  }
}
