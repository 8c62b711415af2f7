package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.tessera.servables.warmup.TFRecordReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.example.Example;
import org.tensorflow.example.Feature;
import org.tensorflow.example.Features;
import org.tensorflow.example.FloatList;
import org.tensorflow.framework.DataType;
import org.tensorflow.framework.TensorProto;
import org.tensorflow.framework.TensorShapeProto;
import tensorflow.serving.Classification.ClassificationRequest;
import tensorflow.serving.Inference.InferenceTask;
import tensorflow.serving.Inference.MultiInferenceRequest;
import tensorflow.serving.InputOuterClass.ExampleList;
import tensorflow.serving.InputOuterClass.Input;
import tensorflow.serving.Model.ModelSpec;
import tensorflow.serving.Predict.PredictRequest;
import tensorflow.serving.PredictionServiceGrpc;
import tensorflow.serving.RegressionOuterClass.RegressionRequest;

/**
 * The cases where the four copies of the request path used to drift, against the real server:
 * every predict (REST JPEG, REST JSON floats, gRPC floats, gRPC encoded images) adds exactly one
 * request and one runtime latency sample; classify, regress and multi-inference record their
 * runs; an image model's warmup record with encoded images is decoded like a live request.
 */
class RequestPathIT {
  private static final String MODEL = "image_classifier";
  private static final String METRICS = "/monitoring/prometheus/metrics";
  @TempDir
  static Path base;
  private static TestServer images;

  @BeforeAll
  static void start() throws Exception {
    // mobilenet_v2 copied (the warmup file goes into its version), with the image config.
    Path model = TestServer.shared("models/mobilenet_v2");
    ModelDirs.copyTree(model.resolve("1"), base.resolve("1"));
    Files.createSymbolicLink(base.resolve("labels.txt"), model.resolve("labels.txt"));
    Files.writeString(base.resolve("tessera_image.json"), ImageModelFixture.CONFIG);
    writeImageWarmup(base.resolve("1"));
    images = TestServer.start(MODEL, base, monitoring());
  }

  @AfterAll
  static void stop() throws Exception {
    images.close();
    TestServer.assertNoLeaks();
  }

  @Test
  void warmupRecordWithEncodedImagesIsDecodedLikeALiveRequest() throws Exception {
    // Before the pipeline, warmup fed the JPEG bytes to the float input and the load failed.
    String page = images.get(METRICS).body();
    assertTrue(sample(page, runtime("Predict")) >= 1, "the warmup run is recorded: " + page);
    assertEquals(-1, sample(page, requests("Predict", "GRPC")), "warmup is not a client request");
  }

  @Test
  void everyPredictFromEveryFrontEndAddsOneRequestAndOneRunSample() throws Exception {
    PredictionServiceGrpc.PredictionServiceBlockingStub stub = PredictionServiceGrpc.newBlockingStub(images.channel());
    byte[] jpeg = Files.readAllBytes(TestServer.shared("images/coffee.jpg"));
    Step restJpeg = () -> assertEquals(200, images.post("/v1/models/" + MODEL + ":predict",
        "{\"instances\": [{\"image_bytes\": {\"b64\": \"" + ImageApiIT.b64("coffee.jpg") + "\"}}]}").statusCode());
    Step restFloats = () -> {
      HttpResponse<String> r = images.post("/v1/models/" + MODEL + ":predict", "{\"instances\": [" + pixelsJson() + "]}");
      assertEquals(200, r.statusCode(), r.body());
    };
    Step grpcFloats = () -> stub.predict(PredictRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName(MODEL))
        .putInputs("images", pixelsProto()).addOutputFilter("probabilities").build());
    Step grpcJpeg = () -> stub.predict(PredictRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName(MODEL))
        .putInputs("images", encoded(jpeg)).addOutputFilter("probabilities").build());
    assertOneSampleEach(restJpeg, "predict", "REST");
    assertOneSampleEach(restFloats, "predict", "REST");
    assertOneSampleEach(grpcFloats, "Predict", "GRPC");
    assertOneSampleEach(grpcJpeg, "Predict", "GRPC");
  }

  @Test
  void classifyRegressAndMultiInferenceRecordTheirRuns() throws Exception {
    try (TestServer server = TestServer.start("default", TestServer.shared("testdata/saved_model_half_plus_two_2_versions"),
        monitoring())) {
      assertEquals(200, server.post("/v1/models/default:classify",
          "{\"signature_name\": \"classify_x_to_y\", \"examples\": [{\"x\": 2.0}]}").statusCode());
      PredictionServiceGrpc.PredictionServiceBlockingStub stub = PredictionServiceGrpc.newBlockingStub(server.channel());
      stub.classify(ClassificationRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName("default")
          .setSignatureName("classify_x_to_y")).setInput(input(2f)).build());
      stub.regress(RegressionRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName("default")
          .setSignatureName("regress_x_to_y")).setInput(input(2f)).build());
      stub.multiInference(MultiInferenceRequest.newBuilder()
          .addTasks(InferenceTask.newBuilder().setMethodName("tensorflow/serving/classify")
              .setModelSpec(ModelSpec.newBuilder().setName("default").setSignatureName("classify_x_to_y")))
          .addTasks(InferenceTask.newBuilder().setMethodName("tensorflow/serving/regress")
              .setModelSpec(ModelSpec.newBuilder().setName("default").setSignatureName("regress_x_to_y")))
          .setInput(input(2f)).build());
      String page = server.get(METRICS).body();
      String model = "model_name=\"default\"";
      assertEquals(1, sample(page, series("runtime_latency_count", "classify", model, "runtime=\"TF1\"")), page);
      assertEquals(1, sample(page, series("runtime_latency_count", "Classify", model, "runtime=\"TF1\"")), page);
      assertEquals(1, sample(page, series("runtime_latency_count", "Regress", model, "runtime=\"TF1\"")), page);
      assertEquals(2, sample(page, series("runtime_latency_count", "MultiInference", model, "runtime=\"TF1\"")),
          "one run per task: " + page);
      assertEquals(1, sample(page, series("request_latency_count", "Classify", "entrypoint=\"GRPC\"", model)), page);
      assertEquals(-1, sample(page, series("request_latency_count", "MultiInference", "entrypoint=\"GRPC\"", model)),
          "MultiInference is not a counted request in TF Serving");
      assertEquals(3, sample(page, ":tensorflow:serving:request_count{" + model + ",status=\"OK\"}"), page);
    }
  }

  @Test
  void apiPathCallsAnsweredWithoutAModelCountUnderTheEmptyName() throws Exception {
    // model_servers/http_server.cc ProcessRequest: OPTIONS (the CORS preflight) and calls its handler
    // refuses before naming a model still reach RecordModelRequestCount(model_name = "", status).
    String unnamedOk = ":tensorflow:serving:request_count{model_name=\"\",status=\"OK\"}";
    String unnamedBad = ":tensorflow:serving:request_count{model_name=\"\",status=\"INVALID_ARGUMENT\"}";
    String unnamedPreflight = ":tensorflow:serving:request_count{model_name=\"\",status=\"FAILED_PRECONDITION\"}";
    String before = images.get(METRICS).body();
    HttpClient http = HttpClient.newHttpClient();
    for (String origin : new String[] {"http://example.com", "nowhere"}) {
      http.send(HttpRequest.newBuilder(URI.create(images.restBase() + "/v1/models/" + MODEL + ":predict"))
          .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", origin).build(),
          HttpResponse.BodyHandlers.discarding());
    }
    assertEquals(400, images.post("/v1/models/" + MODEL + ":nonsense", "{}").statusCode());
    String after = images.get(METRICS).body();
    assertEquals(Math.max(0, sample(before, unnamedOk)) + 1, sample(after, unnamedOk), after);
    assertEquals(Math.max(0, sample(before, unnamedPreflight)) + 1, sample(after, unnamedPreflight), after);
    assertEquals(Math.max(0, sample(before, unnamedBad)) + 1, sample(after, unnamedBad), after);
  }

  @Test
  void aMalformedBodyIsReportedBeforeAMissingModel() throws Exception {
    HttpResponse<String> bad = images.post("/v1/models/missing:predict", "{\"instances\": [1.0,]}");
    assertEquals(400, bad.statusCode(), bad.body());
    assertTrue(bad.body().contains("JSON Parse error"), bad.body());
    assertEquals(404, images.post("/v1/models/missing:predict", "{\"instances\": [1.0]}").statusCode());
    HttpResponse<String> notObject = images.post("/v1/models/missing:predict", "[1.0]");
    assertEquals(400, notObject.statusCode(), notObject.body());
    assertTrue(notObject.body().contains("Is not object"), notObject.body());
    HttpResponse<String> badSignature = images.post("/v1/models/missing:predict",
        "{\"signature_name\": 7, \"instances\": [1.0]}");
    assertEquals(400, badSignature.statusCode(), badSignature.body());
    assertTrue(badSignature.body().contains("'signature_name' key must be a string value"), badSignature.body());
    HttpResponse<String> badExamples = images.post("/v1/models/missing:classify", "{\"examples\": [");
    assertEquals(400, badExamples.statusCode(), badExamples.body());
  }

  interface Step {
    void run() throws Exception;
  }

  private static void assertOneSampleEach(Step step, String api, String entryPoint) throws Exception {
    String before = images.get(METRICS).body();
    step.run();
    String after = images.get(METRICS).body();
    String what = api + " over " + entryPoint;
    assertEquals(1, delta(before, after, runtime(api)), what + ": runtime_latency samples");
    assertEquals(1, delta(before, after, requests(api, entryPoint)), what + ": request_latency samples");
  }

  private static double delta(String before, String after, String series) {
    return Math.max(0, sample(after, series)) - Math.max(0, sample(before, series));
  }

  private static String runtime(String api) {
    return series("runtime_latency_count", api, "model_name=\"" + MODEL + "\"", "runtime=\"TF1\"");
  }

  private static String requests(String api, String entryPoint) {
    return series("request_latency_count", api, "entrypoint=\"" + entryPoint + "\"", "model_name=\"" + MODEL + "\"");
  }

  /** A histogram series; labels in the exposition's (alphabetical) order, API first. */
  private static String series(String name, String api, String... labels) {
    return ":tensorflow:serving:" + name + "{API=\"" + api + "\"," + String.join(",", labels) + "}";
  }

  private static double sample(String page, String series) {
    for (String line : page.split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim());
      }
    }
    return -1;
  }

  private static String monitoring() {
    return "--monitoring_config_file=" + TestServer.shared("testdata/monitoring_config.txt");
  }

  /** One 224 x 224 RGB image of mid-grey floats, as JSON. */
  private static String pixelsJson() {
    StringBuilder row = new StringBuilder("[");
    for (int x = 0; x < 224; x++) {
      row.append(x == 0 ? "" : ",").append("[0.5,0.5,0.5]");
    }
    row.append(']');
    StringBuilder image = new StringBuilder("[");
    for (int y = 0; y < 224; y++) {
      image.append(y == 0 ? "" : ",").append(row);
    }
    return image.append(']').toString();
  }

  private static TensorProto pixelsProto() {
    ByteBuffer data = ByteBuffer.allocate(224 * 224 * 3 * 4).order(ByteOrder.LITTLE_ENDIAN);
    while (data.hasRemaining()) {
      data.putFloat(0.5f);
    }
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (long d : new long[] {1, 224, 224, 3}) {
      shape.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
    }
    return TensorProto.newBuilder().setDtype(DataType.DT_FLOAT).setTensorShape(shape)
        .setTensorContent(ByteString.copyFrom(data.array())).build();
  }

  private static TensorProto encoded(byte[] image) {
    return TensorProto.newBuilder().setDtype(DataType.DT_STRING)
        .setTensorShape(TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dim.newBuilder().setSize(1)))
        .addStringVal(ByteString.copyFrom(image)).build();
  }

  /** A warmup file whose one predict record carries a JPEG, as a gRPC client would send it. */
  private static void writeImageWarmup(Path version) throws Exception {
    io.tessera.proto.serving.PredictionLog record = io.tessera.proto.serving.PredictionLog.newBuilder()
        .setPredictLog(io.tessera.proto.serving.PredictLog.newBuilder().setRequest(
            io.tessera.proto.serving.PredictRequest.newBuilder()
                .setModelSpec(io.tessera.proto.serving.ModelSpec.newBuilder().setName(MODEL))
                .putInputs("images", io.tessera.proto.tf.TensorProto.parseFrom(
                    encoded(Files.readAllBytes(TestServer.shared("images/parrot.jpg"))).toByteString()))))
        .build();
    Files.createDirectories(version.resolve("assets.extra"));
    Files.write(version.resolve("assets.extra/tf_serving_warmup_requests"), TFRecordReader.frame(record.toByteArray()));
  }

  private static Input input(float x) {
    return Input.newBuilder().setExampleList(ExampleList.newBuilder().addExamples(Example.newBuilder()
        .setFeatures(Features.newBuilder().putFeature("x",
            Feature.newBuilder().setFloatList(FloatList.newBuilder().addValue(x)).build())))).build();
  }
}
