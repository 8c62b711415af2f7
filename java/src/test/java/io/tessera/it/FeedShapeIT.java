package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.framework.DataType;
import org.tensorflow.framework.TensorProto;
import org.tensorflow.framework.TensorShapeProto;
import tensorflow.serving.Model.ModelSpec;
import tensorflow.serving.Predict.PredictRequest;
import tensorflow.serving.Predict.PredictResponse;
import tensorflow.serving.PredictionServiceGrpc.PredictionServiceBlockingStub;
import tensorflow.serving.PredictionServiceGrpc;

/**
 * Feeds whose shape the loaded graph cannot take are refused before TensorFlow runs (they used to
 * abort the process: Conv2D's tensor_format.h CHECK on a rank-3 feed to mobilenet_v2, whose graph
 * placeholder is [?,224,224,3]). Over REST (row and columnar) and gRPC (stock stubs), with and
 * without batching, and to the image-configured model; DT_STRING tensors above TensorFlow's rank
 * limit (the fuzzer's rank 303, which failed tensor_shape.cc's CHECK) are refused too. A correct
 * request is answered afterwards; one case runs in its own process to prove the process survives.
 */
class FeedShapeIT {
  private static final String MOBILENET = TestServer.shared("models/mobilenet_v2").toString();
  private static final String PREDICT = "/v1/models/mobilenet:predict";

  @Test
  void wrongShapesRefusedDirect() throws Exception {
    try (TestServer server = TestServer.start("mobilenet", TestServer.shared("models/mobilenet_v2"))) {
      refuseAllThenServe(server.restBase(), server.channel());
    }
  }

  @Test
  void wrongShapesRefusedBatching() throws Exception {
    try (TestServer server = TestServer.start("mobilenet", TestServer.shared("models/mobilenet_v2"),
        "--enable_batching")) {
      refuseAllThenServe(server.restBase(), server.channel());
    }
  }

  @Test
  void imageModelAndStringTensors(@TempDir Path base) throws Exception {
    // Float inputs to an image model (encoded images would be decoded to the configured size).
    try (TestServer server = TestServer.start("mobilenet", ImageModelFixture.create(base))) {
      HttpResponse<String> r = post(server.restBase(), "{\"instances\": [[[1,2,3]]]}");
      assertEquals(400, r.statusCode(), r.body());
      assertTrue(r.body().contains("the model's graph expects [?,224,224,3]"), r.body());
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
          () -> PredictionServiceGrpc.newBlockingStub(server.channel()).predict(request(new long[] {1, 1, 3})));
      assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
      // DT_STRING of rank 303 (the fuzzer's): taken as encoded images, which it is not.
      e = assertThrows(StatusRuntimeException.class, () -> PredictionServiceGrpc.newBlockingStub(server.channel())
          .predict(stringsOfRank("mobilenet", "serving_default", "images", 303)));
      assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
      assertEquals(200, post(server.restBase(), validRow()).statusCode());
    }
    // DT_STRING of rank 303 and 255 to a DT_STRING input whose placeholder has an unknown rank.
    try (TestServer server = TestServer.start("hp2", TestServer.shared("testdata/saved_model_half_plus_two_cpu"))) {
      for (int rank : new int[] {255, 303}) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> PredictionServiceGrpc
            .newBlockingStub(server.channel()).predict(stringsOfRank("hp2", "regress_x_to_y", "inputs", rank)));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        // more than TensorFlow's 254 dimensions: TF Serving's GetInputValues "tensor parsing error"
        assertEquals("tensor parsing error: inputs", e.getStatus().getDescription(), e.getStatus().toString());
      }
      HttpResponse<String> ok = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create(server.restBase() + "/v1/models/hp2:predict"))
          .POST(HttpRequest.BodyPublishers.ofString("{\"instances\": [1.0, 2.0, 5.0]}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, ok.statusCode(), ok.body());
    }
  }

  @Test
  void processSurvivesTheCrashingRequest() throws Exception {
    try (ServerProcess p = ServerProcess.start("", "/v1/models/mobilenet",
        "--model_name=mobilenet", "--model_base_path=" + MOBILENET, "--enable_batching")) {
      HttpResponse<String> r = post(p.restBase(), "{\"instances\": [[[1,2,3]]]}");
      assertEquals(400, r.statusCode(), r.body());
      assertTrue(r.body().contains("the model's graph expects [?,224,224,3]"), r.body());
      assertTrue(p.process().isAlive(), "server process died: " + p.output());
      assertEquals(200, post(p.restBase(), validRow()).statusCode());
      assertTrue(p.process().isAlive());
      assertTrue(!p.output().contains("Check failed"), p.output());
    }
  }

  private static void refuseAllThenServe(String rest, ManagedChannel channel) throws Exception {
    // The reported request: rank 3 (row format, batch of one [1,3] instance).
    HttpResponse<String> r = post(rest, "{\"instances\": [[[1,2,3]]]}");
    assertEquals(400, r.statusCode(), r.body());
    assertTrue(r.body().contains("input images: cannot feed a tensor of shape [1,1,3]: "
        + "the model's graph expects [?,224,224,3]"), r.body());
    // Columnar, named and unnamed; rank 1 and 5.
    assertEquals(400, post(rest, "{\"inputs\": {\"images\": [1,2,3]}}").statusCode());
    assertEquals(400, post(rest, "{\"inputs\": [[[[[1,2,3]]]]]}").statusCode());
    // A wrong known dim with the right rank: TensorFlow's own error status, no crash.
    HttpResponse<String> channels = post(rest, image(224, 224, 4));
    assertEquals(400, channels.statusCode(), channels.body());
    assertEquals(400, post(rest, image(10, 10, 3)).statusCode());

    PredictionServiceBlockingStub stub = PredictionServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(60, TimeUnit.SECONDS);
    for (long[] dims : new long[][] {{1, 1, 3}, {3}, {224, 224, 3}, {1, 1, 224, 224, 3}, {1, 224, 224, 4}}) {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> stub.predict(request(dims)));
      assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
    }

    // Still serving.
    HttpResponse<String> ok = post(rest, validRow());
    assertEquals(200, ok.statusCode(), ok.body());
    PredictResponse response = stub.predict(request(new long[] {2, 224, 224, 3}));
    assertEquals(2 * 1001, response.getOutputsOrThrow("probabilities").getFloatValCount());
  }

  private static PredictRequest request(long[] dims) {
    long elements = 1;
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (long d : dims) {
      shape.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
      elements *= d;
    }
    ByteBuffer content = ByteBuffer.allocate(Math.toIntExact(elements * 4)).order(ByteOrder.LITTLE_ENDIAN);
    TensorProto images = TensorProto.newBuilder().setDtype(DataType.DT_FLOAT).setTensorShape(shape)
        .setTensorContent(ByteString.copyFrom(content.array())).build();
    return PredictRequest.newBuilder()
        .setModelSpec(ModelSpec.newBuilder().setName("mobilenet").setSignatureName("serving_default"))
        .putInputs("images", images).addOutputFilter("probabilities").build();
  }

  /** One "x" in a DT_STRING tensor of {@code rank} dims of 1. */
  private static PredictRequest stringsOfRank(String model, String signature, String alias, int rank) {
    TensorShapeProto.Builder deep = TensorShapeProto.newBuilder();
    for (int i = 0; i < rank; i++) {
      deep.addDim(TensorShapeProto.Dim.newBuilder().setSize(1));
    }
    TensorProto strings = TensorProto.newBuilder().setDtype(DataType.DT_STRING).setTensorShape(deep)
        .addStringVal(ByteString.copyFromUtf8("x")).build();
    return PredictRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName(model)
        .setSignatureName(signature)).putInputs(alias, strings).build();
  }

  private static String validRow() {
    return image(224, 224, 3);
  }

  /** {"instances": [one h x w x c image of zeros]}. */
  private static String image(int h, int w, int c) {
    StringBuilder sb = new StringBuilder("{\"instances\": [[");
    for (int y = 0; y < h; y++) {
      sb.append(y == 0 ? "[" : ",[");
      for (int x = 0; x < w; x++) {
        sb.append(x == 0 ? "[" : ",[");
        for (int k = 0; k < c; k++) {
          sb.append(k == 0 ? "0" : ",0");
        }
        sb.append(']');
      }
      sb.append(']');
    }
    return sb.append("]]}").toString();
  }

  private static HttpResponse<String> post(String base, String body) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + PREDICT))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
