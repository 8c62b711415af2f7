package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Int64Value;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.framework.DataType;
import org.tensorflow.framework.TensorProto;
import org.tensorflow.framework.TensorShapeProto;
import tensorflow.serving.GetModelMetadata.GetModelMetadataRequest;
import tensorflow.serving.GetModelMetadata.GetModelMetadataResponse;
import tensorflow.serving.GetModelMetadata.SignatureDefMap;
import tensorflow.serving.GetModelStatus.GetModelStatusRequest;
import tensorflow.serving.GetModelStatus.GetModelStatusResponse;
import tensorflow.serving.GetModelStatus.ModelVersionStatus;
import tensorflow.serving.Model.ModelSpec;
import tensorflow.serving.ModelServiceGrpc;
import tensorflow.serving.Predict.PredictRequest;
import tensorflow.serving.Predict.PredictResponse;
import tensorflow.serving.PredictionServiceGrpc;

/**
 * saved_model_half_plus_two_cpu (y = 0.5x + 2, version 123) served as model "default", as TF
 * Serving's own tests do, checked over REST and over gRPC with a stock client. REST requests here
 * run inline on the I/O thread once their route was measured (a 10 s inline threshold), so every
 * REST check also covers that path; the other suites mostly exercise the worker path.
 */
class HalfPlusTwoIT {
  private static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start("default", TestServer.shared("testdata/saved_model_half_plus_two_cpu"),
        "--inline_run_max_micros=10000000");
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
    TestServer.assertNoLeaks();
  }

  @Test
  void restPredictRowFormat() throws Exception {
    HttpResponse<String> r = server.post("/v1/models/default:predict", "{\"instances\": [1.0, 2.0, 5.0]}");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(TestServer.JSON.readTree("{\"predictions\": [2.5, 3.0, 4.5]}"), TestServer.json(r));
    assertTrue(r.headers().firstValue("content-type").orElse("").contains("application/json"));
  }

  @Test
  void restPredictColumnarFormatAndExplicitVersion() throws Exception {
    HttpResponse<String> r = server.post("/v1/models/default/versions/123:predict",
        "{\"signature_name\": \"serving_default\", \"inputs\": [[1.0], [2.0]]}");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(TestServer.JSON.readTree("{\"outputs\": [[2.5], [3.0]]}"), TestServer.json(r));
  }

  @Test
  void restStatusMatchesTfServing() throws Exception {
    HttpResponse<String> r = server.get("/v1/models/default");
    assertEquals(200, r.statusCode());
    assertEquals(TestServer.JSON.readTree("{\"model_version_status\": [{\"version\": \"123\", "
        + "\"state\": \"AVAILABLE\", \"status\": {\"error_code\": \"OK\", \"error_message\": \"\"}}]}"),
        TestServer.json(r));
    assertEquals(200, server.get("/v1/models/default/versions/123").statusCode());
  }

  @Test
  void restMetadataEqualsTfServingFixture() throws Exception {
    HttpResponse<String> r = server.get("/v1/models/default/metadata");
    assertEquals(200, r.statusCode(), r.body());
    JsonNode expected = TestServer.JSON.readTree(
        Files.readString(TestServer.shared("testdata/half_plus_two_model_metadata.json")));
    assertEquals(expected, TestServer.json(r));
  }

  @Test
  void restErrorsUseTfServingBodiesAndStatuses() throws Exception {
    assertError(server.post("/v1/models/default:predict", "{\"instances\": [1.0, 2.0"), 400, "");
    assertError(server.post("/v1/models/default:predict", "{\"instances\": [\"a\", \"b\"]}"), 400, "");
    assertError(server.post("/v1/models/default:predict", "{\"instances\": [[1.0], [2.0, 3.0]]}"), 400, "");
    assertError(server.post("/v1/models/nope:predict", "{\"instances\": [1.0]}"), 404,
        "Servable not found for request: Latest(nope)");
    assertError(server.post("/v1/models/default/versions/7:predict", "{\"instances\": [1.0]}"), 404,
        "Servable not found for request: Specific(default, 7)");
    assertError(server.post("/v1/models/default:predict",
        "{\"signature_name\": \"nope\", \"instances\": [1.0]}"), 400,
        "Serving signature name: \"nope\" not found in signature def");
    assertError(server.get("/v1/models/nope"), 404, "Could not find any versions of model nope");
    assertError(server.get("/v1/models"), 400, "Missing model name in request.");
    assertError(server.post("/v1/models/default:explode", "{}"), 400, "Malformed request");
    // Still healthy after all of that.
    restPredictRowFormat();
  }

  @Test
  void restConcurrentClientsEachGetTheirOwnAnswer() throws Exception {
    java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(6);
    try {
      List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
      for (int c = 0; c < 6; c++) {
        int client = c;
        done.add(clients.submit(() -> {
          for (int i = 0; i < 40; i++) {
            int x = client * 1000 + i;
            HttpResponse<String> r = server.post("/v1/models/default:predict", "{\"instances\": [" + x + "]}");
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(0.5 * x + 2, TestServer.json(r).get("predictions").get(0).asDouble(), r.body());
          }
          return null;
        }));
      }
      for (java.util.concurrent.Future<?> f : done) {
        f.get();
      }
    } finally {
      clients.shutdown();
    }
  }

  private static void assertError(HttpResponse<String> r, int status, String fragment) throws Exception {
    assertEquals(status, r.statusCode(), r.body());
    JsonNode body = TestServer.json(r);
    assertEquals(1, body.size(), r.body());
    assertTrue(body.get("error").asText().contains(fragment), r.body());
  }

  @Test
  void grpcPredictWithStockClient() {
    PredictRequest request = PredictRequest.newBuilder()
        .setModelSpec(ModelSpec.newBuilder().setName("default"))
        .putInputs("x", floats(1.0f, 2.0f, 5.0f))
        .build();
    PredictResponse response = PredictionServiceGrpc.newBlockingStub(server.channel()).predict(request);
    TensorProto y = response.getOutputsOrThrow("y");
    assertEquals(List.of(2.5f, 3.0f, 4.5f), y.getFloatValList());
    assertEquals(DataType.DT_FLOAT, y.getDtype());
    assertEquals(3, y.getTensorShape().getDim(0).getSize());
    assertEquals("default", response.getModelSpec().getName());
    assertEquals(123, response.getModelSpec().getVersion().getValue());
    assertEquals("serving_default", response.getModelSpec().getSignatureName());
  }

  @Test
  void grpcStatusAndMetadata() throws Exception {
    GetModelStatusResponse status = ModelServiceGrpc.newBlockingStub(server.channel()).getModelStatus(
        GetModelStatusRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName("default")).build());
    assertEquals(1, status.getModelVersionStatusCount());
    assertEquals(123, status.getModelVersionStatus(0).getVersion());
    assertEquals(ModelVersionStatus.State.AVAILABLE, status.getModelVersionStatus(0).getState());

    GetModelMetadataResponse metadata = PredictionServiceGrpc.newBlockingStub(server.channel())
        .getModelMetadata(GetModelMetadataRequest.newBuilder()
            .setModelSpec(ModelSpec.newBuilder().setName("default").setVersion(Int64Value.of(123)))
            .addMetadataField("signature_def").build());
    SignatureDefMap signatures = metadata.getMetadataOrThrow("signature_def").unpack(SignatureDefMap.class);
    assertEquals(5, signatures.getSignatureDefCount());
    assertEquals("x:0", signatures.getSignatureDefOrThrow("serving_default").getInputsOrThrow("x").getName());
  }

  @Test
  void grpcErrorsCarryTfServingCodes() {
    PredictionServiceGrpc.PredictionServiceBlockingStub stub = PredictionServiceGrpc.newBlockingStub(server.channel());
    StatusRuntimeException unknownModel = assertThrows(StatusRuntimeException.class, () -> stub.predict(
        PredictRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName("nope"))
            .putInputs("x", floats(1f)).build()));
    assertEquals(Status.Code.NOT_FOUND, unknownModel.getStatus().getCode());

    StatusRuntimeException wrongDtype = assertThrows(StatusRuntimeException.class, () -> stub.predict(
        PredictRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName("default"))
            .putInputs("x", TensorProto.newBuilder().setDtype(DataType.DT_STRING)
                .setTensorShape(TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dim.newBuilder().setSize(1)))
                .addStringVal(com.google.protobuf.ByteString.copyFromUtf8("a")).build()).build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, wrongDtype.getStatus().getCode());

    StatusRuntimeException missingInput = assertThrows(StatusRuntimeException.class, () -> stub.predict(
        PredictRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName("default")).build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, missingInput.getStatus().getCode());
    grpcPredictWithStockClient();
  }

  static TensorProto floats(float... values) {
    TensorProto.Builder t = TensorProto.newBuilder().setDtype(DataType.DT_FLOAT)
        .setTensorShape(TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dim.newBuilder().setSize(values.length)));
    for (float v : values) {
      t.addFloatVal(v);
    }
    return t.build();
  }
}
