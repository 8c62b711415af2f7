package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * Raw image uploads on TF Serving's paths, decoded by TensorFlow's own kernels: the file as the
 * body (image/jpeg, octet-stream sniffed), a multipart form with the six photos as one batch, the
 * b64 JSON form, all with the expected top-1 and TensorFlow's scores (expected_top5.tsv's
 * score_tf_resize column); :classify; a 64-megapixel-claiming header refused with bounded memory;
 * the image metrics counting what was sent.
 */
class ImageUploadIT {
  @TempDir
  static Path base;
  private static TestServer server;
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final Map<String, Integer> INDEX = new LinkedHashMap<>();
  private static final Map<String, String> LABEL = new LinkedHashMap<>();
  private static final Map<String, Double> TF_SCORE = new LinkedHashMap<>();
  /** expected_top5.tsv has 4 decimals: half a unit of the last one, plus float noise. */
  private static final double TSV_TOLERANCE = 0.5e-4 + 1e-5;

  @BeforeAll
  static void start() throws Exception {
    ImageModelFixture.create(base);
    server = TestServer.start("image_classifier", base, "--enable_metrics", "--metrics_address=127.0.0.1:0");
    for (String line : Files.readAllLines(TestServer.shared("models/mobilenet_v2/expected_top5.tsv"))) {
      String[] cols = line.split("\t");
      if (cols.length > 4 && cols[1].equals("1")) {
        INDEX.put(cols[0], Integer.parseInt(cols[2]));
        LABEL.put(cols[0], cols[3]);
        TF_SCORE.put(cols[0], Double.parseDouble(cols[4]));
      }
    }
    assertEquals(6, INDEX.size());
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
    TestServer.assertNoLeaks();
  }

  @Test
  void everyPhotoAsTheRequestBody() throws Exception {
    for (String photo : INDEX.keySet()) {
      String type = photo.equals("parrot.jpg") ? "application/octet-stream" : "image/jpeg";
      HttpResponse<String> r = post("/v1/models/image_classifier:predict?top_k=3", type, bytes(photo));
      assertEquals(200, r.statusCode(), photo + ": " + r.body());
      JsonNode body = TestServer.json(r);
      assertEquals(1001, body.get("predictions").get(0).get("probabilities").size());
      assertEquals(3, body.get("top_k").get(0).size());
      assertTop1(photo, body.get("top_k").get(0).get(0));
      assertTrue(r.headers().firstValue("server-timing").orElse("").contains("decode;dur="), r.headers().toString());
    }
  }

  @Test
  void sixPhotosInOneMultipartRequestMatchTheB64Form() throws Exception {
    List<String> photos = new ArrayList<>(INDEX.keySet());
    String boundary = "tessera-boundary-7f3a";
    ByteArrayOutputStream form = new ByteArrayOutputStream();
    for (String photo : photos) {
      form.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
          + photo + "\"\r\nContent-Type: image/jpeg\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      form.writeBytes(bytes(photo));
      form.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    form.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
    HttpResponse<String> r = post("/v1/models/image_classifier:predict?top_k=5",
        "multipart/form-data; boundary=" + boundary, form.toByteArray());
    assertEquals(200, r.statusCode(), r.body());
    JsonNode rows = TestServer.json(r).get("top_k");
    assertEquals(6, rows.size());
    for (int i = 0; i < photos.size(); i++) {
      assertTop1(photos.get(i), rows.get(i).get(0));
      HttpResponse<String> b64 = server.post("/v1/models/image_classifier:predict",
          "{\"instances\": [{\"b64\": \"" + ImageApiIT.b64(photos.get(i)) + "\"}], \"top_k\": 5}");
      JsonNode viaJson = TestServer.json(b64).get("top_k").get(0);
      for (int k = 0; k < 5; k++) {
        assertEquals(viaJson.get(k).get("index").asInt(), rows.get(i).get(k).get("index").asInt());
        assertEquals(viaJson.get(k).get("score").asDouble(), rows.get(i).get(k).get("score").asDouble(), 1e-5);
      }
    }
  }

  @Test
  void classifyAnswersInTfServingsClassifyFormat() throws Exception {
    HttpResponse<String> r = post("/v1/models/image_classifier:classify", "image/jpeg", bytes("coffee.jpg"));
    assertEquals(200, r.statusCode(), r.body());
    JsonNode classes = TestServer.json(r).get("results").get(0);
    assertEquals(5, classes.size());
    assertEquals("espresso", classes.get(0).get(0).asText());
    assertEquals(TF_SCORE.get("coffee.jpg"), classes.get(0).get(1).asDouble(), TSV_TOLERANCE);
  }

  @Test
  void badUploadsAreClearErrors() throws Exception {
    HttpResponse<String> r = post("/v1/models/image_classifier:predict", "image/jpeg",
        "definitely not an image".getBytes(StandardCharsets.UTF_8));
    assertEquals(400, r.statusCode(), r.body());
    assertTrue(r.body().contains("image 0: Invalid image"), r.body());
    byte[] photo = bytes("coffee.jpg");
    r = post("/v1/models/image_classifier:predict", "image/jpeg", java.util.Arrays.copyOf(photo, photo.length / 2));
    assertEquals(400, r.statusCode(), r.body());
    assertTrue(r.body().contains("truncated jpeg"), r.body());
    r = post("/v1/models/image_classifier:predict?top_k=x", "image/jpeg", photo);
    assertEquals(400, r.statusCode(), r.body());
    assertTrue(r.body().contains("top_k"), r.body());
    r = post("/v1/models/image_classifier:predict", "multipart/form-data; boundary=abc", "--abc\r\nnothing".getBytes());
    assertEquals(400, r.statusCode(), r.body());
    // The query is Tessera's only on uploads: a JSON body keeps TF Serving's route match, which a
    // query fails.
    r = server.post("/v1/models/image_classifier:predict?top_k=3",
        "{\"instances\": [{\"b64\": \"" + ImageApiIT.b64("coffee.jpg") + "\"}]}");
    assertEquals(400, r.statusCode(), r.body());
    assertTrue(r.body().contains("Malformed request"), r.body());
  }

  /** A 20-byte JPEG claiming 8000 x 8000: refused from its header, nothing allocated for it. */
  @Test
  void sixtyFourMegapixelHeaderIsRefusedWithBoundedMemory() throws Exception {
    byte[] bomb = jpegClaiming(8000, 8000);
    long before = rssBytes();
    for (int i = 0; i < 40; i++) {
      HttpResponse<String> r = post("/v1/models/image_classifier:predict", "image/jpeg", bomb);
      assertEquals(400, r.statusCode(), r.body());
      assertTrue(r.body().contains("8000x8000 = 64000000 pixels") && r.body().contains("max_decoded_pixels"), r.body());
    }
    long grown = rssBytes() - before;
    // One decode of the claimed size would need 192 MB (8000 * 8000 * 3); 40 of them 7.7 GB.
    assertTrue(grown < 64L << 20, "RSS grew by " + grown + " bytes");
    assertEquals(200, server.get("/readyz").statusCode());
  }

  @Test
  void metricsCountWhatWasSent() throws Exception {
    String before = metrics();
    double espresso = sample(before, "tessera_image_top1_total{class=\"espresso\",model_name=\"image_classifier\"}");
    double requests = sample(before, "tessera_image_images_per_request_count{model_name=\"image_classifier\"}");
    double decoded = sample(before, "tessera_image_decode_seconds_count{model_name=\"image_classifier\",status=\"OK\"}");
    for (int i = 0; i < 3; i++) {
      assertEquals(200, post("/v1/models/image_classifier:predict", "image/jpeg", bytes("coffee.jpg")).statusCode());
    }
    // and one over gRPC, the photo as a DT_STRING tensor
    PredictionServiceGrpc.newBlockingStub(server.channel()).predict(PredictRequest.newBuilder()
        .setModelSpec(ModelSpec.newBuilder().setName("image_classifier"))
        .putInputs("images", TensorProto.newBuilder().setDtype(DataType.DT_STRING)
            .setTensorShape(TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dim.newBuilder().setSize(1)))
            .addStringVal(ByteString.copyFrom(bytes("coffee.jpg"))).build()).build());
    String after = metrics();
    assertEquals(Math.max(0, espresso) + 4,
        sample(after, "tessera_image_top1_total{class=\"espresso\",model_name=\"image_classifier\"}"), after);
    assertEquals(Math.max(0, requests) + 4,
        sample(after, "tessera_image_images_per_request_count{model_name=\"image_classifier\"}"));
    assertEquals(Math.max(0, decoded) + 4, sample(after, "tessera_image_decode_seconds_count{model_name=\"image_classifier\",status=\"OK\"}"));
    assertTrue(sample(after, "tessera_image_encoded_bytes_sum{model_name=\"image_classifier\"}") >= 4 * bytes("coffee.jpg").length);
    assertTrue(sample(after, "tessera_image_top1_confidence_bucket{model_name=\"image_classifier\",le=\"1.0\"}") >= 4);
  }

  private static void assertTop1(String photo, JsonNode best) {
    assertEquals((int) INDEX.get(photo), best.get("index").asInt(), photo);
    assertEquals(LABEL.get(photo), best.get("label").asText(), photo);
    assertEquals(TF_SCORE.get(photo), best.get("score").asDouble(), TSV_TOLERANCE, photo + " vs TensorFlow's preprocessing");
  }

  private static HttpResponse<String> post(String path, String contentType, byte[] body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(server.restBase() + path))
        .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String metrics() throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.server().metricsPort() + "/metrics"))
        .build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  private static double sample(String page, String series) {
    for (String line : page.split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim());
      }
    }
    return -1;
  }

  private static byte[] bytes(String photo) throws Exception {
    return Files.readAllBytes(TestServer.shared("images/" + photo));
  }

  /** SOI and a baseline SOF0 for a 3-component image of the given size; no image data. */
  static byte[] jpegClaiming(int width, int height) {
    return new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xC0, 0, 17, 8,
        (byte) (height >> 8), (byte) height, (byte) (width >> 8), (byte) width, 3,
        1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, (byte) 0xFF, (byte) 0xD9};
  }

  private static long rssBytes() throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    throw new IllegalStateException("no VmRSS");
  }
}
