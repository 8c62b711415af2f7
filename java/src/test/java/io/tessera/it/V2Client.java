package io.tessera.it;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A plain HTTP client of the Open Inference Protocol's REST API, written from the spec (no code
 * of the server's): JSON requests and the binary tensor data extension (JSON header, then raw
 * bytes; Inference-Header-Content-Length).
 */
final class V2Client {
  /** A binary response: the JSON header and the raw bytes of each binary output, by name. */
  record Binary(int status, JsonNode header, Map<String, ByteBuffer> outputs) {}

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;

  V2Client(String base) {
    this.base = base;
  }

  HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.ofString(body))
        .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
  }

  /** POSTs {@code json} followed by {@code binary}, with the header length given (null = the JSON's). */
  HttpResponse<byte[]> postBinary(String path, String json, byte[] binary, String headerLength)
      throws IOException, InterruptedException {
    byte[] header = json.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.write(header);
    body.write(binary);
    return http.send(HttpRequest.newBuilder(URI.create(base + path))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
        .header("Content-Type", "application/octet-stream")
        .header("Inference-Header-Content-Length", headerLength == null ? Integer.toString(header.length) : headerLength)
        .build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** Splits a binary-data response into its JSON header and binary outputs (in output order). */
  static Binary parse(HttpResponse<byte[]> response) throws IOException {
    byte[] body = response.body();
    String length = response.headers().firstValue("Inference-Header-Content-Length").orElse(null);
    int json = length == null ? body.length : Integer.parseInt(length);
    JsonNode header = TestServer.JSON.readTree(new String(body, 0, json, StandardCharsets.UTF_8));
    Map<String, ByteBuffer> outputs = new LinkedHashMap<>();
    int at = json;
    for (JsonNode o : header.path("outputs")) {
      JsonNode size = o.path("parameters").path("binary_data_size");
      if (!size.isMissingNode()) {
        outputs.put(o.get("name").asText(), ByteBuffer.wrap(body, at, size.asInt()).slice().order(ByteOrder.LITTLE_ENDIAN));
        at += size.asInt();
      }
    }
    if (at != body.length) {
      throw new IOException("binary outputs take " + (at - json) + " bytes, body has " + (body.length - json));
    }
    return new Binary(response.statusCode(), header, outputs);
  }

  static byte[] floats(float... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return b.array();
  }

  /** BYTES elements in the raw layout: a 4-byte little-endian length, then the bytes. */
  static byte[] strings(List<byte[]> elements) {
    int size = elements.stream().mapToInt(e -> 4 + e.length).sum();
    ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    elements.forEach(e -> b.putInt(e.length).put(e));
    return b.array();
  }

  /** The six photos with their expected top-1 class (expected_top5.tsv). */
  static Map<String, Integer> expectedTop1() throws IOException {
    Map<String, Integer> top1 = new LinkedHashMap<>();
    for (String line : Files.readAllLines(TestServer.shared("models/mobilenet_v2/expected_top5.tsv"))) {
      String[] cols = line.split("\t");
      if (cols.length > 2 && cols[1].equals("1")) {
        top1.put(cols[0], Integer.parseInt(cols[2]));
      }
    }
    return top1;
  }

  static List<byte[]> photo(String name) throws IOException {
    List<byte[]> one = new ArrayList<>();
    one.add(Files.readAllBytes(TestServer.shared("images/" + name)));
    return one;
  }

  /** A config with half_plus_two (version 123, labelled "stable") and the image fixture as "mobilenet". */
  static Path twoModelConfig(Path dir) throws IOException {
    Path image = Files.createDirectories(dir.resolve("mobilenet"));
    ImageModelFixture.create(image);
    return Files.writeString(dir.resolve("models.config"), "model_config_list {\n"
        + "  config { name: \"half_plus_two\" base_path: \"" + TestServer.shared("testdata/saved_model_half_plus_two_cpu")
        + "\" model_platform: \"tensorflow\" version_labels { key: \"stable\" value: 123 } }\n"
        + "  config { name: \"mobilenet\" base_path: \"" + image + "\" model_platform: \"tensorflow\" }\n}\n");
  }
}
