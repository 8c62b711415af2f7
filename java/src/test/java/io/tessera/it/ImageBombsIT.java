package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tessera.admission.MemoryBudget;
import io.tessera.image.ImageBombs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
 * Image bombs against the REST image API (mobilenet_v2 with tessera_image.json): each is refused
 * as a client error within seconds, decoding that runs past the request's deadline is stopped
 * (504), and a real photo is still recognised afterwards. The 16-bit PNG flood runs against a
 * separate server process under -XX:MaxRAM=2g (a 2 GiB container) to bound its peak RSS.
 */
class ImageBombsIT {
  private static final String PREDICT = "/v1/models/image_classifier:predict";
  /** In-flight budget of the in-JVM servers: more than a 150 MB decode, less than a 225 MB one. */
  private static final long BUDGET = 200_000_000;
  /** Well below what decoding the 5000x5000 progressive JPEG and the run take here (about 500 ms). */
  private static final int SHORT_TIMEOUT_MS = 200;
  /** Shorter than decoding the 5000x5000 progressive JPEG with TensorFlow's kernels takes here. */
  private static final int GRPC_DEADLINE_MS = 100;
  @TempDir
  static Path base;
  /** The default REST timeout (30 s). */
  private static TestServer server;
  /** A {@value #SHORT_TIMEOUT_MS} ms REST timeout. */
  private static TestServer hurried;

  @BeforeAll
  static void start() throws Exception {
    ImageModelFixture.create(base);
    server = TestServer.start("image_classifier", base, "--max_inflight_request_bytes=" + BUDGET);
    hurried = TestServer.start("image_classifier", base, "--max_inflight_request_bytes=" + BUDGET,
        "--rest_api_timeout_in_ms=" + SHORT_TIMEOUT_MS);
    ImageApiIT.loadExpected();
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (hurried != null) {
        hurried.close();
      }
    } finally {
      if (server != null) {
        server.close();
      }
    }
    TestServer.assertNoLeaks();
  }

  @Test
  void progressiveJpegWithFiveHundredDuplicatedScansIsRefusedInMilliseconds() throws Exception {
    // A 6000x6600 (40 Mpx) progressive JPEG from ImageIO, its last scan copied 500 times before EOI.
    byte[] bomb = ImageBombs.duplicateLastScan(ImageBombs.progressiveJpeg(6000, 6600), 500);
    long started = System.nanoTime();
    HttpResponse<String> r = server.post(PREDICT, instances(List.of(bomb)));
    long millis = elapsedMillis(started);
    System.out.printf("scan bomb: %d bytes, HTTP %d in %d ms%n", bomb.length, r.statusCode(), millis);
    assertEquals(400, r.statusCode(), r.body());
    assertTrue(r.body().contains("image 0: Invalid image: the jpeg has 510 scans; the limit is 100 (max_jpeg_scans)"),
        r.body());
    assertTrue(millis < 3000, millis + " ms");
  }

  @Test
  void decodingPastTheRestTimeoutStopsWith504() throws Exception {
    // A valid 5000x5000 progressive JPEG (10 scans): 150 MB to decode, within the budget; decoding
    // and the run together take longer than the timeout here. Sent with a normal photo (parallel path).
    // TensorFlow's decode kernel cannot be stopped halfway: the deadline is checked before each image
    // and bounds the run, so the 504 names the decode or the run, whichever was under way.
    byte[] slow = ImageBombs.progressiveJpeg(5000, 5000);
    byte[] photo = Files.readAllBytes(TestServer.shared("images/coffee.jpg"));
    long started = System.nanoTime();
    HttpResponse<String> r = hurried.post(PREDICT, instances(List.of(photo, slow)));
    long millis = elapsedMillis(started);
    System.out.printf("5000x5000 progressive (%d bytes) with a %d ms timeout: HTTP %d in %d ms%n",
        slow.length, SHORT_TIMEOUT_MS, r.statusCode(), millis);
    assertEquals(504, r.statusCode(), r.body());
    assertTrue(r.body().toLowerCase(java.util.Locale.ROOT).contains("deadline exceeded"), r.body());
    // The response waits for the decodes to end: soon after the timeout means they were stopped.
    assertTrue(millis < SHORT_TIMEOUT_MS + 1500, millis + " ms");
    assertEquals(0, MemoryBudget.process().used(), "every reservation released");
  }

  @Test
  void decodingPastTheGrpcDeadlineStopsAndReleasesItsMemory() throws Exception {
    byte[] slow = ImageBombs.progressiveJpeg(5000, 5000);
    TensorProto images = TensorProto.newBuilder().setDtype(DataType.DT_STRING)
        .setTensorShape(TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dim.newBuilder().setSize(1)))
        .addStringVal(ByteString.copyFrom(slow)).build();
    PredictRequest request = PredictRequest.newBuilder()
        .setModelSpec(ModelSpec.newBuilder().setName("image_classifier")).putInputs("images", images).build();
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () ->
        PredictionServiceGrpc.newBlockingStub(server.channel())
            .withDeadlineAfter(GRPC_DEADLINE_MS, TimeUnit.MILLISECONDS).predict(request));
    assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
    // The 150 MB reservation is held while the image decodes: it must come back soon after the
    // deadline, not after the several seconds a full decode takes.
    long started = System.nanoTime();
    while (MemoryBudget.process().used() != 0 && elapsedMillis(started) < 1500) {
      Thread.sleep(10);
    }
    System.out.printf("gRPC deadline %d ms: decoder memory released %d ms after the client's error%n",
        GRPC_DEADLINE_MS, elapsedMillis(started));
    assertEquals(0, MemoryBudget.process().used(), "decoding still holds its memory");
  }

  @Test
  void tooManyImagesPerRequestIs400() throws Exception {
    byte[] tiny = ImageBombs.zeroPng(2, 2, 8, 2);
    HttpResponse<String> r = server.post(PREDICT, instances(Collections.nCopies(65, tiny)));
    assertEquals(400, r.statusCode(), r.body());
    assertTrue(r.body().contains("the request has 65 images; the limit is 64 (max_images_per_request)"), r.body());
  }

  @Test
  void decoderMemoryBeyondTheInflightBudgetIs429AndReleased() throws Exception {
    // 5000x5000 16-bit RGB: 225 MB to decode, within max_decoded_bytes but over the 200 MB budget.
    HttpResponse<String> r = server.post(PREDICT, instances(List.of(ImageBombs.zeroPng(5000, 5000, 16, 2))));
    assertEquals(429, r.statusCode(), r.body());
    assertTrue(r.body().contains("image 0: decoding an image needs 225000000 bytes"), r.body());
    assertEquals(0, MemoryBudget.process().used(), "every reservation released");
  }

  @Test
  void aRealPhotoStillGetsTheRightTop1() throws Exception {
    for (String photo : List.of("grace_hopper.jpg", "parrot.jpg")) {
      byte[] jpeg = Files.readAllBytes(TestServer.shared("images/" + photo));
      HttpResponse<String> r = server.post(PREDICT, "{\"instances\": [{\"b64\": \""
          + Base64.getEncoder().encodeToString(jpeg) + "\"}], \"top_k\": 1}");
      assertEquals(200, r.statusCode(), r.body());
      ImageApiIT.assertTop1(photo, TestServer.json(r).get("top_k").get(0).get(0).get("index").asInt());
    }
  }

  @Test
  void sixtyFourSixteenBitPngsAreRefusedQuicklyWithBoundedRssUnderTwoGigabytesWhereA48MpPhotoDecodes()
      throws Exception {
    byte[] png16 = ImageBombs.zeroPng(6000, 6600, 16, 2);
    String flood = instances(Collections.nCopies(64, png16));
    // 8-bit gray of the same size: 39.6 MB each, under max_decoded_bytes, 2.5 GB for 64.
    String grayFlood = instances(Collections.nCopies(64, ImageBombs.zeroPng(6000, 6600, 8, 0)));
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    try (ServerProcess process = ServerProcess.start("-XX:MaxRAM=2g", "/v1/models/image_classifier",
        "--model_name=image_classifier", "--model_base_path=" + base)) {
      long idle = process.rssBytes();
      process.resetPeakRss();
      long started = System.nanoTime();
      HttpResponse<String> r = post(http, process.restBase() + PREDICT, flood);
      long millis = elapsedMillis(started);
      long peak = process.peakRssBytes();
      System.out.printf("64 x 16-bit 6000x6600 PNG (%d body bytes): HTTP %d in %d ms; RSS idle %d MiB, peak %d MiB%n",
          flood.length(), r.statusCode(), millis, idle >> 20, peak >> 20);
      assertEquals(400, r.statusCode(), r.body());
      assertTrue(r.body().contains("image 0: Invalid image: the image is 6000x6600 png and needs 356400000 bytes"
          + " to decode; the limit is 268435456 (max_decoded_bytes)"), r.body());
      assertTrue(millis < 10_000, millis + " ms");
      assertTrue(peak < idle + (400L << 20), "peak RSS " + (peak >> 20) + " MiB, idle " + (idle >> 20) + " MiB");

      // A 48 MP (8000x6000) baseline JPEG, as a phone takes, still decodes in the same container.
      String photo48 = instances(List.of(ImageBombs.gradientJpeg(8000, 6000, false)));
      started = System.nanoTime();
      r = post(http, process.restBase() + PREDICT, photo48);
      millis = elapsedMillis(started);
      System.out.printf("48 MP baseline JPEG (%d body bytes): HTTP %d in %d ms; peak RSS %d MiB%n",
          photo48.length(), r.statusCode(), millis, process.peakRssBytes() >> 20);
      assertEquals(200, r.statusCode(), r.body());

      started = System.nanoTime();
      r = post(http, process.restBase() + PREDICT, grayFlood);
      millis = elapsedMillis(started);
      System.out.printf("64 x 8-bit gray 6000x6600 PNG: HTTP %d in %d ms; peak RSS %d MiB%n",
          r.statusCode(), millis, process.peakRssBytes() >> 20);
      assertEquals(400, r.statusCode(), r.body());
      assertTrue(r.body().contains("the limit is 1073741824 (max_request_decoded_bytes)"), r.body());
      assertTrue(millis < 10_000, millis + " ms");
      assertTrue(process.peakRssBytes() < 1L << 30, "peak RSS " + (process.peakRssBytes() >> 20) + " MiB");
    }
  }

  private static HttpResponse<String> post(HttpClient http, String url, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String instances(List<byte[]> images) {
    StringBuilder json = new StringBuilder("{\"instances\": [");
    Base64.Encoder b64 = Base64.getEncoder();
    for (int i = 0; i < images.size(); i++) {
      json.append(i == 0 ? "" : ", ").append("{\"b64\": \"").append(b64.encodeToString(images.get(i))).append("\"}");
    }
    return json.append("]}").toString();
  }

  private static long elapsedMillis(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1_000_000;
  }
}
