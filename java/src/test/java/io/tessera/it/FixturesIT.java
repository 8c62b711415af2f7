package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.framework.TensorProto;
import tensorflow.serving.Model.ModelSpec;
import tensorflow.serving.Predict.PredictRequest;
import tensorflow.serving.PredictionServiceGrpc;

/**
 * Every CPU-servable fixture in ../shared/testdata loads and answers as its README says, over REST
 * and over gRPC (stock stubs), including the ones a strict loader would refuse.
 */
class FixturesIT {
  @ParameterizedTest
  @ValueSource(strings = {"saved_model_half_plus_two_cpu", "saved_model_half_plus_two_2_versions",
      "saved_model_half_plus_two_mkl", "saved_model_half_plus_two_mlmd",
      "saved_model_half_plus_two_cpu_with_saved_model_config",
      "saved_model_half_plus_two_cpu_with_empty_saved_model_config"})
  void halfPlusTwoVariants(String fixture) throws Exception {
    try (TestServer server = TestServer.start("default", TestServer.shared("testdata/" + fixture))) {
      assertJson("{\"predictions\": [3.0, 3.5, 4.0]}",
          server.post("/v1/models/default:predict", "{\"instances\": [2.0, 3.0, 4.0]}"));
      assertJson("{\"outputs\": [3.0, 3.5, 4.0]}",
          server.post("/v1/models/default:predict", "{\"inputs\": [2.0, 3.0, 4.0]}"));
      assertJson("{\"results\": [3.0]}", server.post("/v1/models/default:regress",
          "{\"signature_name\": \"regress_x_to_y\", \"examples\": [{\"x\": 2.0}]}"));
      assertJson("{\"results\": [[[\"\", 3.0]]]}", server.post("/v1/models/default:classify",
          "{\"signature_name\": \"classify_x_to_y\", \"examples\": [{\"x\": 2.0}]}"));
      assertEquals(List.of(3.0f, 3.5f), grpcPredict(server, "serving_default", "x", 2f, 3f).getOutputsOrThrow("y").getFloatValList());
    }
  }

  @Test
  void tf2ExportServesAllItsSignatures() throws Exception {
    try (TestServer server = TestServer.start("default", TestServer.shared("testdata/saved_model_half_plus_two_tf2_cpu"))) {
      assertJson("{\"predictions\": [3.0]}", server.post("/v1/models/default:predict", "{\"instances\": [2.0]}"));
      assertJson("{\"results\": [[[\"\", 3.0]]]}", server.post("/v1/models/default:classify",
          "{\"signature_name\": \"classify_x_to_y\", \"examples\": [{\"x\": 2.0}]}"));
      assertJson("{\"results\": [4.0]}", server.post("/v1/models/default:regress",
          "{\"signature_name\": \"regress_x_to_y2\", \"examples\": [{\"x\": 2.0}]}"));
      assertEquals(List.of(4.0f), grpcPredict(server, "regress_x2_to_y3", "inputs", 2f).getOutputsOrThrow("outputs").getFloatValList());
    }
  }

  @Test
  void signatureMethodNameCheckAsTfServing() throws Exception {
    // The TF2 export declares tensorflow/serving/predict for every signature: classify works
    // without the check and is refused with it.
    try (TestServer server = TestServer.start("default", TestServer.shared("testdata/saved_model_half_plus_two_tf2_cpu"),
        "--enable_signature_method_name_check")) {
      HttpResponse<String> r = server.post("/v1/models/default:classify",
          "{\"signature_name\": \"classify_x_to_y\", \"examples\": [{\"x\": 2.0}]}");
      assertEquals(400, r.statusCode(), r.body());
      assertTrue(r.body().contains("Expected classification signature method_name to be tensorflow/serving/classify"), r.body());
      assertJson("{\"predictions\": [3.0]}", server.post("/v1/models/default:predict", "{\"instances\": [2.0]}"));
    }
  }

  @Test
  void corsHeadersAndPreflightAsTfServing() throws Exception {
    try (TestServer server = TestServer.start("default", TestServer.shared("testdata/saved_model_half_plus_two_cpu"),
        "--rest_api_enable_cors_support")) {
      HttpResponse<String> r = server.post("/v1/models/default:predict", "{\"instances\": [2.0]}");
      assertEquals("*", r.headers().firstValue("access-control-allow-origin").orElse(""));
      java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
      java.net.URI uri = java.net.URI.create(server.restBase() + "/v1/models/default:predict");
      assertEquals(200, http.send(java.net.http.HttpRequest.newBuilder(uri).method("OPTIONS",
          java.net.http.HttpRequest.BodyPublishers.noBody()).header("Origin", "https://example.com").build(),
          HttpResponse.BodyHandlers.ofString()).statusCode());
      assertEquals(400, http.send(java.net.http.HttpRequest.newBuilder(uri).method("OPTIONS",
          java.net.http.HttpRequest.BodyPublishers.noBody()).header("Origin", "file://x").build(),
          HttpResponse.BodyHandlers.ofString()).statusCode());
    }
  }

  @Test
  void halfPlusThreeDespiteItsMismatchedSignatureDtype() throws Exception {
    try (TestServer server = TestServer.start("default", TestServer.shared("testdata/saved_model_half_plus_three"))) {
      assertJson("{\"predictions\": [3.5, 4.0, 5.5]}", server.post("/v1/models/default:predict", "{\"instances\": [1.0, 2.0, 5.0]}"));
      assertJson("{\"results\": [3.5, 4.0]}", server.post("/v1/models/default:regress",
          "{\"signature_name\": \"tensorflow/serving/regress\", \"examples\": [{\"x\": 1.0}, {\"x\": 2.0}]}"));
    }
  }

  @Test
  void statefulCounterOverGrpcAndItsRestLimit() throws Exception {
    try (TestServer server = TestServer.start("default", TestServer.shared("testdata/saved_model_counter"))) {
      List<Float> seen = new ArrayList<>();
      for (String signature : List.of("get_counter", "incr_counter", "reset_counter", "incr_counter")) {
        seen.add(grpcPredict(server, signature, null).getOutputsOrThrow("output").getFloatVal(0));
      }
      // delta is a scalar (shape []): the variable is a scalar too
      seen.add(PredictionServiceGrpc.newBlockingStub(server.channel()).predict(PredictRequest.newBuilder()
          .setModelSpec(ModelSpec.newBuilder().setName("default").setSignatureName("incr_counter_by"))
          .putInputs("delta", TensorProto.newBuilder().setDtype(org.tensorflow.framework.DataType.DT_FLOAT)
              .setTensorShape(org.tensorflow.framework.TensorShapeProto.getDefaultInstance()).addFloatVal(3f).build())
          .build()).getOutputsOrThrow("output").getFloatVal(0));
      assertEquals(List.of(0f, 1f, 0f, 1f, 4f), seen);
      HttpResponse<String> rest = server.post("/v1/models/default:predict",
          "{\"signature_name\": \"get_counter\", \"instances\": [1.0]}");
      assertEquals(400, rest.statusCode(), rest.body());
      assertTrue(rest.body().contains("Failed to get input map for signature: get_counter"), rest.body());
    }
  }

  @Test
  void matrixHalfPlusTwo() throws Exception {
    try (TestServer server = TestServer.start("default", TestServer.shared("testdata/matrix_half_plus_two"))) {
      assertJson("{\"predictions\": [[[2.5, 3.0, 3.5], [4.0, 4.5, 5.0], [5.5, 6.0, 6.5]]]}",
          server.post("/v1/models/default:predict", "{\"instances\": [[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]}"));
    }
  }

  private static tensorflow.serving.Predict.PredictResponse grpcPredict(TestServer server, String signature,
      String input, float... values) {
    PredictRequest.Builder request = PredictRequest.newBuilder()
        .setModelSpec(ModelSpec.newBuilder().setName("default").setSignatureName(signature));
    if (input != null) {
      TensorProto t = HalfPlusTwoIT.floats(values);
      request.putInputs(input, t);
    }
    return PredictionServiceGrpc.newBlockingStub(server.channel()).predict(request.build());
  }

  private static void assertJson(String expected, HttpResponse<String> r) throws Exception {
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(TestServer.JSON.readTree(expected), TestServer.json(r));
  }
}
