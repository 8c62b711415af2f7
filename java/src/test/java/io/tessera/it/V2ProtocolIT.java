package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tessera.proto.inference.GRPCInferenceServiceGrpc;
import io.tessera.proto.inference.InferParameter;
import io.tessera.proto.inference.InferTensorContents;
import io.tessera.proto.inference.ModelInferRequest;
import io.tessera.proto.inference.ModelInferResponse;
import io.tessera.proto.inference.ModelMetadataRequest;
import io.tessera.proto.inference.ModelMetadataResponse;
import io.tessera.proto.inference.ModelReadyRequest;
import io.tessera.proto.inference.RepositoryModelUnloadRequest;
import io.tessera.proto.inference.ServerLiveRequest;
import io.tessera.proto.inference.ServerMetadataRequest;
import io.tessera.tensor.SharedHostBuffer;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Open Inference Protocol (KServe v2) against a real server that serves half_plus_two and
 * mobilenet_v2 (with image preprocessing and labels) from one config: REST JSON and binary
 * tensors, gRPC typed and raw contents, encoded photos through the image path with Triton's
 * classification extension, the error cases, and TF Serving's /v1 on the same server. Routes
 * answered once run on the I/O thread afterwards (a huge --inline_run_max_micros), so requests go
 * through both the worker and the inline dispatch.
 */
class V2ProtocolIT {
  @TempDir
  static Path dir;
  private static TestServer server;
  private static V2Client rest;
  private static GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub grpc;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.startPolling(Duration.ZERO, "--model_config_file=" + V2Client.twoModelConfig(dir),
        "--monitoring_config_file=" + TestServer.shared("testdata/monitoring_config.txt"),
        // every route measured once runs inline from then on: both dispatch paths see these requests
        "--inline_run_max_micros=10000000");
    rest = new V2Client(server.restBase());
    grpc = GRPCInferenceServiceGrpc.newBlockingStub(server.channel());
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    TestServer.assertNoLeaks();
  }

  @Test
  void healthAndMetadataOverRest() throws Exception {
    assertEquals(200, rest.get("/v2/health/live").statusCode());
    assertEquals(200, rest.get("/v2/health/ready").statusCode());
    JsonNode meta = TestServer.json(rest.get("/v2"));
    assertEquals("tessera", meta.get("name").asText());
    assertTrue(meta.get("extensions").toString().contains("binary_tensor_data"), meta.toString());
    JsonNode model = TestServer.json(rest.get("/v2/models/half_plus_two"));
    assertEquals("tensorflow_savedmodel", model.get("platform").asText());
    assertEquals("[\"123\"]", model.get("versions").toString());
    assertEquals("x", model.at("/inputs/0/name").asText());
    assertEquals("FP32", model.at("/inputs/0/datatype").asText());
    assertEquals("FP32", model.at("/outputs/0/datatype").asText());
    assertEquals(200, rest.get("/v2/models/half_plus_two/versions/123").statusCode());
    assertEquals(200, rest.get("/v2/models/half_plus_two/ready").statusCode());
    assertEquals(200, rest.get("/v2/models/half_plus_two/versions/123/ready").statusCode());
    assertEquals(400, rest.get("/v2/models/half_plus_two/versions/7/ready").statusCode());
    JsonNode image = TestServer.json(rest.get("/v2/models/mobilenet"));
    assertEquals("images", image.at("/inputs/0/name").asText());
    assertEquals("[-1,224,224,3]", image.at("/inputs/0/shape").toString());
  }

  @Test
  void jsonInferenceEchoesTheIdAndVersion() throws Exception {
    // data before datatype and shape: the reader does not depend on member order
    HttpResponse<String> r = rest.post("/v2/models/half_plus_two/infer", "{\"id\": \"req-7\", \"inputs\": [{\"data\":"
        + " [[1.0], [2.0], [5.0]], \"name\": \"x\", \"shape\": [3, 1], \"datatype\": \"FP32\"}]}");
    assertEquals(200, r.statusCode(), r.body());
    JsonNode body = TestServer.json(r);
    assertEquals("req-7", body.get("id").asText());
    assertEquals("half_plus_two", body.get("model_name").asText());
    assertEquals("123", body.get("model_version").asText());
    assertEquals("y", body.at("/outputs/0/name").asText());
    assertEquals("[3,1]", body.at("/outputs/0/shape").toString());
    assertEquals("[2.5,3.0,4.5]", body.at("/outputs/0/data").toString());
    // a version label (Tessera's addition) names the version as /v1/models/m/labels/l does
    HttpResponse<String> labelled = rest.post("/v2/models/half_plus_two/versions/stable/infer",
        "{\"inputs\": [{\"name\": \"x\", \"shape\": [1], \"datatype\": \"FP32\", \"data\": [2]}]}");
    assertEquals(200, labelled.statusCode(), labelled.body());
    assertEquals("123", TestServer.json(labelled).get("model_version").asText());
    HttpResponse<String> unknownLabel = rest.post("/v2/models/half_plus_two/versions/beta/infer",
        "{\"inputs\": [{\"name\": \"x\", \"shape\": [1], \"datatype\": \"FP32\", \"data\": [2]}]}");
    assertEquals(400, unknownLabel.statusCode(), unknownLabel.body());
    assertTrue(unknownLabel.body().contains("version label: beta"), unknownLabel.body());
    // the same model over TF Serving's API on the same port
    assertEquals("[[2.5],[3.0],[4.5]]", TestServer.json(server.post("/v1/models/half_plus_two:predict",
        "{\"instances\": [[1.0], [2.0], [5.0]]}")).get("predictions").toString());
  }

  @Test
  void binaryTensorsInAndOut() throws Exception {
    String header = "{\"inputs\": [{\"name\": \"x\", \"shape\": [3], \"datatype\": \"FP32\", \"parameters\":"
        + " {\"binary_data_size\": 12}}], \"outputs\": [{\"name\": \"y\", \"parameters\": {\"binary_data\": true}}]}";
    long viewed = SharedHostBuffer.viewedBytes();
    HttpResponse<byte[]> r = rest.postBinary("/v2/models/half_plus_two/infer", header, V2Client.floats(1, 2, 5), null);
    assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
    // the raw input was fed from the body buffer it was received into (a view, not a copy)
    assertTrue(SharedHostBuffer.viewedBytes() - viewed >= 12, "the binary input was copied");
    V2Client.Binary b = V2Client.parse(r);
    assertEquals(12, b.header().at("/outputs/0/parameters/binary_data_size").asInt());
    ByteBuffer y = b.outputs().get("y");
    assertArrayEquals(new float[] {2.5f, 3.0f, 4.5f}, new float[] {y.getFloat(0), y.getFloat(4), y.getFloat(8)});
    JsonNode json = TestServer.json(rest.post("/v2/models/half_plus_two/infer", "{\"inputs\": [{\"name\": \"x\","
        + " \"shape\": [3], \"datatype\": \"FP32\", \"data\": [1, 2, 5]}]}")).at("/outputs/0/data");
    for (int i = 0; i < 3; i++) {
      assertEquals((float) json.get(i).asDouble(), y.getFloat(i * 4), "the JSON path's y[" + i + "]");
    }
    // binary_data_output asks for every output as binary data
    String all = "{\"inputs\": [{\"name\": \"x\", \"shape\": [1], \"datatype\": \"FP32\", \"parameters\":"
        + " {\"binary_data_size\": 4}}], \"parameters\": {\"binary_data_output\": true}}";
    V2Client.Binary allBinary = V2Client.parse(rest.postBinary("/v2/models/half_plus_two/infer", all,
        V2Client.floats(4), null));
    assertEquals(4.0f, allBinary.outputs().get("y").getFloat(0));
  }

  @Test
  void everyPhotoOverRestBinaryAndGrpcRaw() throws Exception {
    for (Map.Entry<String, Integer> photo : V2Client.expectedTop1().entrySet()) {
      byte[] raw = V2Client.strings(V2Client.photo(photo.getKey()));
      String header = "{\"inputs\": [{\"name\": \"images\", \"shape\": [1], \"datatype\": \"BYTES\", \"parameters\":"
          + " {\"binary_data_size\": " + raw.length + "}}], \"outputs\": [{\"name\": \"probabilities\","
          + " \"parameters\": {\"classification\": 3}}]}";
      HttpResponse<byte[]> r = rest.postBinary("/v2/models/mobilenet/infer", header, raw, null);
      assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
      JsonNode out = V2Client.parse(r).header().at("/outputs/0");
      assertEquals("BYTES", out.get("datatype").asText());
      assertEquals("[1,3]", out.get("shape").toString());
      String top = out.at("/data/0").asText();  // score:index:label
      assertEquals(photo.getValue(), Integer.parseInt(top.split(":")[1]), photo.getKey() + ": " + top);
      assertEquals(3, top.split(":").length, top);

      ModelInferResponse g = grpc.modelInfer(ModelInferRequest.newBuilder().setModelName("mobilenet")
          .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("images").setDatatype("BYTES").addShape(1))
          .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("probabilities"))
          .addRawInputContents(ByteString.copyFrom(raw)).build());
      assertEquals("probabilities", g.getOutputs(0).getName());
      assertEquals(List.of(1L, 1001L), g.getOutputs(0).getShapeList());
      ByteBuffer scores = g.getRawOutputContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
      assertEquals(photo.getValue(), argmax(scores), photo.getKey());
    }
  }

  @Test
  void mobilenetFloatTensorsAsJsonAndBinaryMatchTfServingsApi() throws Exception {
    int n = 224 * 224 * 3;
    float[] pixels = new float[n];
    StringBuilder flat = new StringBuilder();
    for (int i = 0; i < n; i++) {
      pixels[i] = ((i * 7) % 255) / 127.5f - 1f;
      flat.append(i == 0 ? "" : ",").append(pixels[i]);
    }
    JsonNode v1 = TestServer.json(server.post("/v1/models/mobilenet:predict",
        "{\"inputs\": {\"images\": [" + nest(flat.toString()) + "]}}"));
    JsonNode expected = v1.get("outputs").has("probabilities") ? v1.at("/outputs/probabilities/0") : null;
    assertTrue(expected != null && expected.size() == 1001, v1.toString().substring(0, 200));

    HttpResponse<String> json = rest.post("/v2/models/mobilenet/infer", "{\"inputs\": [{\"name\": \"images\","
        + " \"shape\": [1, 224, 224, 3], \"datatype\": \"FP32\", \"data\": [" + flat + "]}],"
        + " \"outputs\": [{\"name\": \"probabilities\"}]}");
    assertEquals(200, json.statusCode(), json.body().substring(0, Math.min(300, json.body().length())));
    JsonNode data = TestServer.json(json).at("/outputs/0/data");

    String header = "{\"inputs\": [{\"name\": \"images\", \"shape\": [1, 224, 224, 3], \"datatype\": \"FP32\","
        + " \"parameters\": {\"binary_data_size\": " + n * 4 + "}}], \"outputs\": [{\"name\": \"probabilities\","
        + " \"parameters\": {\"binary_data\": true}}]}";
    long viewed = SharedHostBuffer.viewedBytes();
    ByteBuffer binary = V2Client.parse(rest.postBinary("/v2/models/mobilenet/infer", header, V2Client.floats(pixels),
        null)).outputs().get("probabilities");
    assertTrue(SharedHostBuffer.viewedBytes() - viewed >= n * 4L, "the binary image tensor was copied");
    assertEquals(1001, data.size());
    assertEquals(1001 * 4, binary.remaining());
    for (int i = 0; i < 1001; i++) {
      float want = (float) expected.get(i).asDouble();
      assertEquals(want, (float) data.get(i).asDouble(), 1e-6f, "JSON output " + i);
      assertEquals(want, binary.getFloat(i * 4), 1e-6f, "binary output " + i);
    }
  }

  /** A flat row-major list of 224x224x3 values as nested JSON arrays [224][224][3]. */
  private static String nest(String flat) {
    String[] v = flat.split(",");
    StringBuilder out = new StringBuilder("[");
    for (int y = 0; y < 224; y++) {
      out.append(y == 0 ? "[" : ",[");
      for (int x = 0; x < 224; x++) {
        int at = (y * 224 + x) * 3;
        out.append(x == 0 ? "[" : ",[").append(v[at]).append(',').append(v[at + 1]).append(',').append(v[at + 2])
            .append(']');
      }
      out.append(']');
    }
    return out.append(']').toString();
  }

  private static int argmax(ByteBuffer floats) {
    int best = 0;
    for (int i = 1; i < floats.remaining() / 4; i++) {
      if (floats.getFloat(i * 4) > floats.getFloat(best * 4)) {
        best = i;
      }
    }
    return best;
  }

  @Test
  void grpcTypedAndRawContents() {
    assertTrue(grpc.serverLive(ServerLiveRequest.getDefaultInstance()).getLive());
    assertTrue(grpc.serverMetadata(ServerMetadataRequest.getDefaultInstance()).getExtensionsList()
        .contains("classification"));
    assertTrue(grpc.modelReady(ModelReadyRequest.newBuilder().setName("half_plus_two").build()).getReady());
    assertFalse(grpc.modelReady(ModelReadyRequest.newBuilder().setName("half_plus_two").setVersion("9").build())
        .getReady());
    ModelMetadataResponse meta = grpc.modelMetadata(ModelMetadataRequest.newBuilder().setName("half_plus_two").build());
    assertEquals("tensorflow_savedmodel", meta.getPlatform());
    assertEquals(List.of("123"), meta.getVersionsList());

    ModelInferResponse typed = grpc.modelInfer(ModelInferRequest.newBuilder().setModelName("half_plus_two").setId("g1")
        .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("x").setDatatype("FP32").addShape(3)
            .setContents(InferTensorContents.newBuilder().addFp32Contents(1).addFp32Contents(2).addFp32Contents(5)))
        .build());
    assertEquals("g1", typed.getId());
    assertEquals("123", typed.getModelVersion());
    assertEquals(List.of(2.5f, 3.0f, 4.5f), typed.getOutputs(0).getContents().getFp32ContentsList());

    ModelInferResponse raw = grpc.modelInfer(ModelInferRequest.newBuilder().setModelName("half_plus_two")
        .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("x").setDatatype("FP32").addShape(2))
        .addRawInputContents(ByteString.copyFrom(V2Client.floats(0, 4)))
        .addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("y")
            .putParameters("classification", InferParameter.newBuilder().setInt64Param(1).build()))
        .build());
    assertEquals("BYTES", raw.getOutputs(0).getDatatype());
    // one string "4.0:1" (value:index), length-prefixed
    ByteBuffer classes = raw.getRawOutputContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    byte[] text = new byte[classes.getInt()];
    classes.get(text);
    assertEquals("4.0:1", new String(text, StandardCharsets.UTF_8));
  }

  @Test
  void metricsNameTheV2CallAndItsEntryPoint() throws Exception {
    String x = "{\"inputs\": [{\"name\": \"x\", \"shape\": [1], \"datatype\": \"FP32\", \"data\": [1]}]}";
    long before = requestCount(server.get("/monitoring/prometheus/metrics").body());
    assertEquals(200, rest.post("/v2/models/half_plus_two/infer", x).statusCode());
    assertEquals(200, rest.get("/v2/models/half_plus_two").statusCode());
    grpc.modelInfer(ModelInferRequest.newBuilder().setModelName("half_plus_two")
        .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("x").setDatatype("FP32").addShape(1))
        .addRawInputContents(ByteString.copyFrom(V2Client.floats(1))).build());
    String metrics = server.get("/monitoring/prometheus/metrics").body();
    for (String entrypoint : List.of("REST", "GRPC")) {
      assertTrue(metrics.lines().anyMatch(l -> l.startsWith(":tensorflow:serving:request_latency_count{")
          && l.contains("API=\"ModelInfer\"") && l.contains("entrypoint=\"" + entrypoint + "\"")
          && l.contains("model_name=\"half_plus_two\"")), entrypoint + ":\n" + metrics);
    }
    assertTrue(metrics.lines().anyMatch(l -> l.startsWith(":tensorflow:serving:runtime_latency_count{")
        && l.contains("API=\"ModelInfer\"")), metrics);
    assertTrue(metrics.lines().anyMatch(l -> l.startsWith(":tensorflow:serving:request_latency_count{")
        && l.contains("API=\"ModelMetadata\"") && l.contains("entrypoint=\"REST\"")), metrics);
    // request_count: the REST infer, metadata and gRPC infer calls of this test all count
    assertEquals(3, requestCount(metrics) - before, metrics);
  }

  private static long requestCount(String metrics) {
    return metrics.lines().filter(l -> l.startsWith(":tensorflow:serving:request_count{")
        && l.contains("model_name=\"half_plus_two\"") && l.contains("status=\"OK\""))
        .mapToLong(l -> Long.parseLong(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  @Test
  void badRequestsAreClearErrors() throws Exception {
    String x = "{\"inputs\": [{\"name\": \"x\", \"shape\": [3], \"datatype\": \"%s\", \"data\": [1, 2, 5]}]}";
    assertError(404, "nope", rest.post("/v2/models/nope/infer", String.format(x, "FP32")));
    assertError(404, "Specific(half_plus_two, 9)", rest.post("/v2/models/half_plus_two/versions/9/infer", String.format(x, "FP32")));
    assertError(404, "nope", rest.get("/v2/models/nope"));
    assertError(400, "data-type is 'INT32', but model 'half_plus_two' expects 'FP32'",
        rest.post("/v2/models/half_plus_two/infer", String.format(x, "INT32")));
    assertError(400, "invalid datatype", rest.post("/v2/models/half_plus_two/infer", String.format(x, "FLOAT")));
    assertError(400, "elements", rest.post("/v2/models/half_plus_two/infer",
        "{\"inputs\": [{\"name\": \"x\", \"shape\": [4], \"datatype\": \"FP32\", \"data\": [1, 2, 5]}]}"));
    assertError(400, "unexpected inference input 'z'", rest.post("/v2/models/half_plus_two/infer",
        "{\"inputs\": [{\"name\": \"z\", \"shape\": [1], \"datatype\": \"FP32\", \"data\": [1]}]}"));
    assertError(400, "parse", rest.post("/v2/models/half_plus_two/infer", "{\"inputs\": [{"));
    String binary = "{\"inputs\": [{\"name\": \"x\", \"shape\": [3], \"datatype\": \"FP32\", \"parameters\":"
        + " {\"binary_data_size\": %d}}]}";
    // a binary size that does not match the shape, too little and too much data, bad header lengths
    assertError(400, "byte size mismatch", rest.postBinary("/v2/models/half_plus_two/infer",
        String.format(binary, 8), V2Client.floats(1, 2), null));
    assertError(400, "exceeds", rest.postBinary("/v2/models/half_plus_two/infer",
        String.format(binary, 12), V2Client.floats(1, 2), null));
    assertError(400, "additional input data", rest.postBinary("/v2/models/half_plus_two/infer",
        String.format(binary, 12), V2Client.floats(1, 2, 3, 4), null));
    assertError(400, "both data and binary_data_size", rest.postBinary("/v2/models/half_plus_two/infer",
        "{\"inputs\": [{\"name\": \"x\", \"shape\": [3], \"datatype\": \"FP32\", \"data\": [1, 2, 3],"
            + " \"parameters\": {\"binary_data_size\": 12}}]}", V2Client.floats(1, 2, 3), null));
    assertError(400, "Inference-Header-Content-Length", rest.postBinary("/v2/models/half_plus_two/infer",
        String.format(binary, 12), V2Client.floats(1, 2, 3), "abc"));
    assertError(400, "Inference-Header-Content-Length", rest.postBinary("/v2/models/half_plus_two/infer",
        String.format(binary, 12), V2Client.floats(1, 2, 3), "100000"));
    assertError(400, "Inference-Header-Content-Length", rest.postBinary("/v2/models/half_plus_two/infer",
        String.format(binary, 12), V2Client.floats(1, 2, 3), "-1"));
    assertError(400, "string length", rest.postBinary("/v2/models/mobilenet/infer",
        "{\"inputs\": [{\"name\": \"images\", \"shape\": [1], \"datatype\": \"BYTES\", \"parameters\":"
            + " {\"binary_data_size\": 6}}]}", new byte[] {100, 0, 0, 0, 1, 2}, null));
    byte[] notAnImage = V2Client.strings(List.of("not a jpeg".getBytes(StandardCharsets.UTF_8)));
    assertError(400, "image", rest.postBinary("/v2/models/mobilenet/infer",
        "{\"inputs\": [{\"name\": \"images\", \"shape\": [1], \"datatype\": \"BYTES\", \"parameters\":"
            + " {\"binary_data_size\": " + notAnImage.length + "}}]}", notAnImage, null));

    byte[] onePhoto = V2Client.strings(V2Client.photo("coffee.jpg"));
    assertError(400, "shape [batch] holding batch images", rest.postBinary("/v2/models/mobilenet/infer",
        "{\"inputs\": [{\"name\": \"images\", \"shape\": [2], \"datatype\": \"BYTES\", \"parameters\":"
            + " {\"binary_data_size\": " + onePhoto.length + "}}]}", onePhoto, null));

    StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
        () -> grpc.modelInfer(ModelInferRequest.newBuilder().setModelName("half_plus_two")
            .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("x").setDatatype("FP32").addShape(3))
            .addRawInputContents(ByteString.copyFrom(V2Client.floats(1, 2))).build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("Expected 12, got 8"), e.getStatus().getDescription());
    e = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
        () -> grpc.modelInfer(ModelInferRequest.newBuilder().setModelName("half_plus_two")
            .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("x").setDatatype("INT32").addShape(1)
                .setContents(InferTensorContents.newBuilder().addIntContents(1))).build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    e = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
        () -> grpc.modelMetadata(ModelMetadataRequest.newBuilder().setName("nope").build()));
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    // repository changes are off unless the operator turns them on; the index is always there
    assertError(501, "--enable_model_repository_control", rest.post("/v2/repository/models/half_plus_two/unload", ""));
    assertEquals(200, rest.post("/v2/repository/index", "").statusCode());
    e = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
        () -> grpc.repositoryModelUnload(RepositoryModelUnloadRequest.newBuilder().setModelName("half_plus_two").build()));
    assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());
    // the server is fine afterwards
    assertEquals(200, rest.post("/v2/models/half_plus_two/infer", String.format(x, "FP32")).statusCode());
  }

  /** Seeded mutations of valid binary and JSON requests: never a 5xx, always a JSON answer. */
  @Test
  void mutatedRequestsNeverFailTheServer() throws Exception {
    java.util.SplittableRandom random = new java.util.SplittableRandom(20261201);
    String header = "{\"inputs\": [{\"name\": \"x\", \"shape\": [3], \"datatype\": \"FP32\", \"parameters\":"
        + " {\"binary_data_size\": 12}}], \"outputs\": [{\"name\": \"y\", \"parameters\": {\"binary_data\": true}}]}";
    byte[] valid = (header + new String(V2Client.floats(1, 2, 5), StandardCharsets.ISO_8859_1))
        .getBytes(StandardCharsets.ISO_8859_1);
    for (int i = 0; i < 150; i++) {
      byte[] body = valid.clone();
      int flips = 1 + random.nextInt(4);
      for (int f = 0; f < flips; f++) {
        body[random.nextInt(body.length)] = (byte) random.nextInt(256);
      }
      if (random.nextInt(4) == 0) {
        body = java.util.Arrays.copyOf(body, random.nextInt(body.length));
      }
      String length = switch (random.nextInt(5)) {
        case 0 -> Integer.toString(random.nextInt(body.length + 20) - 5);  // anywhere, or outside the body
        case 1 -> Integer.toString(body.length);  // all of it as JSON
        default -> Integer.toString(Math.min(header.length(), body.length));
      };
      HttpResponse<byte[]> r = rest.postBinary("/v2/models/half_plus_two/infer", "", body, length);
      assertTrue(r.statusCode() == 200 || r.statusCode() == 400 || r.statusCode() == 404, "case " + i + ": "
          + r.statusCode() + " " + new String(r.body(), StandardCharsets.UTF_8));
      if (r.statusCode() != 200) {
        assertTrue(TestServer.JSON.readTree(r.body()).has("error"), "case " + i);
      }
    }
    assertEquals(200, rest.postBinary("/v2/models/half_plus_two/infer", header, V2Client.floats(1, 2, 5), null)
        .statusCode());
  }

  private static void assertError(int status, String text, HttpResponse<?> r) throws Exception {
    String body = r.body() instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : (String) r.body();
    assertEquals(status, r.statusCode(), body);
    JsonNode json = TestServer.JSON.readTree(body);
    assertEquals(1, json.size(), body);
    assertTrue(json.get("error").asText().contains(text), body);
  }
}
