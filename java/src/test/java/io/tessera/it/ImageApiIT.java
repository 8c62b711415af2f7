package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.framework.DataType;
import org.tensorflow.framework.TensorProto;
import org.tensorflow.framework.TensorShapeProto;
import tensorflow.serving.Model.ModelSpec;
import tensorflow.serving.Predict.PredictRequest;
import tensorflow.serving.PredictionServiceGrpc;

/**
 * The image-recognition API: mobilenet_v2 with a tessera_image.json takes the photo files
 * themselves (raw JPEG bytes) over REST and gRPC and names them, as the deployment guide's
 * {"image_bytes": {"b64": ...}} request does.
 */
class ImageApiIT {
  @TempDir
  static Path base;
  private static TestServer server;
  static final Map<String, Integer> EXPECTED = new LinkedHashMap<>();
  private static final Map<String, String> LABELS = new LinkedHashMap<>();

  @BeforeAll
  static void start() throws Exception {
    ImageModelFixture.create(base);
    server = TestServer.start("image_classifier", base);
    loadExpected();
  }

  static synchronized void loadExpected() throws java.io.IOException {
    if (!EXPECTED.isEmpty()) {
      return;
    }
    for (String line : Files.readAllLines(TestServer.shared("models/mobilenet_v2/expected_top5.tsv"))) {
      String[] cols = line.split("\t");
      if (cols.length > 3 && cols[1].equals("1")) {
        EXPECTED.put(cols[0], Integer.parseInt(cols[2]));
        LABELS.put(cols[0], cols[3]);
      }
    }
    assertEquals(6, EXPECTED.size());
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
    TestServer.assertNoLeaks();
  }

  @Test
  void everyPhotoAsTheGuidesImageBytesRequest() throws Exception {
    for (String photo : EXPECTED.keySet()) {
      HttpResponse<String> r = server.post("/v1/models/image_classifier:predict",
          "{\"instances\": [{\"image_bytes\": {\"b64\": \"" + b64(photo) + "\"}}], \"top_k\": 5}");
      assertEquals(200, r.statusCode(), photo + ": " + r.body());
      JsonNode body = TestServer.json(r);
      assertEquals(1001, body.get("predictions").get(0).get("probabilities").size());
      JsonNode top = body.get("top_k").get(0);
      assertEquals(5, top.size());
      assertTop1(photo, top.get(0).get("index").asInt());
      if (!photo.equals("chelsea_cat.jpg")) {
        assertEquals(LABELS.get(photo), top.get(0).get("label").asText());
      }
    }
  }

  @Test
  void bareB64BatchWithoutTopKKeepsTfServingsResponseShape() throws Exception {
    HttpResponse<String> r = server.post("/v1/models/image_classifier:predict",
        "{\"instances\": [{\"b64\": \"" + b64("coffee.jpg") + "\"}, {\"b64\": \"" + b64("parrot.jpg") + "\"}]}");
    assertEquals(200, r.statusCode(), r.body());
    JsonNode body = TestServer.json(r);
    assertNull(body.get("top_k"), "no top_k unless asked for");
    assertEquals(Set.of("predictions"), Set.copyOf(iterable(body.fieldNames())));
    assertEquals(2, body.get("predictions").size());
    assertEquals(968, argmax(body.get("predictions").get(0).get("probabilities")));
    assertEquals(89, argmax(body.get("predictions").get(1).get("probabilities")));
  }

  @Test
  void everyPhotoOverGrpcAsEncodedBytes() throws Exception {
    PredictionServiceGrpc.PredictionServiceBlockingStub stub = PredictionServiceGrpc.newBlockingStub(server.channel());
    for (String photo : EXPECTED.keySet()) {
      TensorProto images = TensorProto.newBuilder().setDtype(DataType.DT_STRING)
          .setTensorShape(TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dim.newBuilder().setSize(1)))
          .addStringVal(ByteString.copyFrom(Files.readAllBytes(TestServer.shared("images/" + photo)))).build();
      List<Float> scores = stub.predict(PredictRequest.newBuilder()
          .setModelSpec(ModelSpec.newBuilder().setName("image_classifier"))
          .putInputs("images", images).addOutputFilter("probabilities").build())
          .getOutputsOrThrow("probabilities").getFloatValList();
      int best = 0;
      for (int i = 1; i < scores.size(); i++) {
        best = scores.get(i) > scores.get(best) ? i : best;
      }
      assertTop1(photo, best);
    }
  }

  @Test
  void badImageBytesAreClearErrorsAndTheServerStaysHealthy() throws Exception {
    byte[] jpeg = Files.readAllBytes(TestServer.shared("images/coffee.jpg"));
    byte[] truncated = java.util.Arrays.copyOf(jpeg, jpeg.length / 3);
    for (byte[] bad : List.of("definitely not an image".getBytes(), truncated, new byte[0])) {
      HttpResponse<String> r = server.post("/v1/models/image_classifier:predict",
          "{\"instances\": [{\"image_bytes\": {\"b64\": \"" + Base64.getEncoder().encodeToString(bad) + "\"}}]}");
      assertEquals(400, r.statusCode(), r.body());
      assertTrue(TestServer.json(r).get("error").asText().toLowerCase().contains("image"), r.body());
    }
    assertEquals(400, server.post("/v1/models/image_classifier:predict",
        "{\"instances\": [{\"image_bytes\": {\"b64\": \"%%%\"}}]}").statusCode());
    assertEquals(200, server.get("/readyz").statusCode());
    everyPhotoAsTheGuidesImageBytesRequest();
  }

  static String b64(String photo) throws Exception {
    return Base64.getEncoder().encodeToString(Files.readAllBytes(TestServer.shared("images/" + photo)));
  }

  static void assertTop1(String photo, int best) {
    Set<Integer> accepted = photo.equals("chelsea_cat.jpg") ? Set.of(282, 283, 286) : Set.of(EXPECTED.get(photo));
    assertTrue(accepted.contains(best), photo + ": top-1 " + best + ", expected " + EXPECTED.get(photo));
  }

  private static int argmax(JsonNode scores) {
    int best = 0;
    for (int i = 1; i < scores.size(); i++) {
      best = scores.get(i).asDouble() > scores.get(best).asDouble() ? i : best;
    }
    return best;
  }

  private static <T> List<T> iterable(java.util.Iterator<T> it) {
    List<T> out = new java.util.ArrayList<>();
    it.forEachRemaining(out::add);
    return out;
  }
}
