package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** bin/tensorflow_model_server as users run it: a separate process with TF Serving's flags. */
class LauncherIT {
  private static final Path REPO = Path.of(System.getProperty("tessera.repo.dir", "..")).toAbsolutePath().normalize();

  @Test
  void versionPrintsBothVersionsAndExitsZero() throws Exception {
    Result r = run(List.of("--version"), 60);
    assertEquals(0, r.exitCode, r.output);
    assertTrue(r.output.contains("TensorFlow ModelServer: "), r.output);
    assertTrue(r.output.contains("TensorFlow Library: 2.18.0"), r.output);
  }

  @Test
  void malformedFlagValueIsAUsageError() throws Exception {
    Result r = run(List.of("--port=abc"), 60);
    assertEquals(255, r.exitCode, r.output);
    assertTrue(r.output.contains("--port"), r.output);
  }

  @Test
  void modelThatCannotLoadFailsStartupClearly() throws Exception {
    Result r = run(List.of("--model_name=bad", "--max_num_load_retries=0", "--port=" + freePort(),
        "--model_base_path=" + TestServer.shared("testdata/bad_half_plus_two")), 120);
    assertEquals(255, r.exitCode, r.output);
    assertTrue(r.output.contains("Failed to start server"), r.output);
  }

  @Test
  void malformedModelConfigFileFailsStartup() throws Exception {
    Result r = run(List.of("--port=" + freePort(),
        "--model_config_file=" + TestServer.shared("testdata/bad_model_config.txt")), 60);
    assertEquals(255, r.exitCode, r.output);
    assertTrue(r.output.contains("Error parsing text-format tensorflow.serving.ModelServerConfig"), r.output);
  }

  @Test
  void servesHalfPlusTwoAndStopsOnSigterm() throws Exception {
    int grpc = freePort();
    int rest = freePort();
    Launched server = start(List.of("--port=" + grpc, "--rest_api_port=" + rest, "--model_name=half_plus_two",
        "--model_base_path=" + TestServer.shared("testdata/saved_model_half_plus_two_cpu"),
        "--some_future_flag=1"));
    Process p = server.process();
    try {
      HttpClient http = HttpClient.newHttpClient();
      HttpRequest predict = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rest
          + "/v1/models/half_plus_two:predict"))
          .POST(HttpRequest.BodyPublishers.ofString("{\"instances\": [1.0, 2.0, 5.0]}")).build();
      HttpResponse<String> response = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (response == null && System.nanoTime() < deadline && p.isAlive()) {
        try {
          response = http.send(predict, HttpResponse.BodyHandlers.ofString());
        } catch (IOException notUpYet) {
          Thread.sleep(200);
        }
      }
      assertTrue(response != null, "server did not come up: " + server.output());
      assertEquals(200, response.statusCode(), response.body());
      assertEquals(TestServer.JSON.readTree("{\"predictions\": [2.5, 3.0, 4.5]}"),
          TestServer.JSON.readTree(response.body()));
    } finally {
      p.destroy();
      assertTrue(p.waitFor(30, TimeUnit.SECONDS), "server did not stop on SIGTERM");
    }
    String log = server.output();
    assertEquals(0, p.exitValue(), "SIGTERM is a clean shutdown: " + log);
    assertTrue(log.contains("Shutdown complete"), log);
    assertTrue(log.contains("unknown argument: --some_future_flag=1"), log);
  }

  @Test
  void theJvmGetsContainerAwareDefaultsThatTesseraJavaOptsOverrides(@org.junit.jupiter.api.io.TempDir Path cgroup)
      throws Exception {
    Files.writeString(cgroup.resolve("memory.max"), "2147483648\n");  // a 2 GiB container
    int rest = freePort();
    Launched server = start(List.of("--port=" + freePort(), "--rest_api_port=" + rest, "--model_name=half_plus_two",
        "--model_base_path=" + TestServer.shared("testdata/saved_model_half_plus_two_cpu")),
        java.util.Map.of("TESSERA_CGROUP_ROOT", cgroup.toString(), "TESSERA_JAVA_OPTS", "-XX:MaxRAMPercentage=30"));
    Process p = server.process();
    try {
      waitUntilServing(rest, server, "half_plus_two");
      // The launcher execs java: the launched process is the JVM.
      List<String> cmdline = List.of(Files.readString(Path.of("/proc/" + p.pid() + "/cmdline")).split("\0"));
      System.out.println("LauncherIT: java command line " + cmdline.subList(0, 8));
      assertTrue(cmdline.get(0).endsWith("java"), cmdline.toString());
      for (String option : List.of("-XX:MaxRAMPercentage=50", "-XX:MaxDirectMemorySize=512m", "-XX:+UseG1GC",
          "-XX:G1PeriodicGCInterval=60000", "-XX:+ExitOnOutOfMemoryError")) {
        assertTrue(cmdline.contains(option), option + " in " + cmdline);
      }
      assertTrue(cmdline.indexOf("-XX:MaxRAMPercentage=30") > cmdline.indexOf("-XX:MaxRAMPercentage=50"),
          "TESSERA_JAVA_OPTS comes after the defaults: " + cmdline);
      List<String> environ = List.of(Files.readString(Path.of("/proc/" + p.pid() + "/environ")).split("\0"));
      assertTrue(environ.contains("MALLOC_ARENA_MAX=2"), environ.toString());
      String report = server.output().lines().filter(l -> l.contains("JVM ") && l.contains("max heap"))
          .findFirst().orElse("no JVM report in " + server.output());
      System.out.println("LauncherIT: " + report);
      for (String effective : List.of("MaxRAMPercentage=30.0", "MaxDirectMemorySize=536870912", "UseG1GC=true",
          "G1PeriodicGCInterval=60000", "ExitOnOutOfMemoryError=true", "MALLOC_ARENA_MAX=2")) {
        assertTrue(report.contains(effective), effective + " in " + report);
      }
    } finally {
      p.destroy();
      assertTrue(p.waitFor(30, TimeUnit.SECONDS), "server did not stop on SIGTERM");
    }
  }

  @Test
  void sigtermCompletesInFlightRequestsThenExitsZero() throws Exception {
    int grpc = freePort();
    int rest = freePort();
    Launched server = start(List.of("--port=" + grpc, "--rest_api_port=" + rest, "--model_name=mobilenet",
        "--model_base_path=" + TestServer.shared("models/mobilenet_v2")));
    Process p = server.process();
    io.grpc.ManagedChannel channel = io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", grpc)
        .usePlaintext().maxInboundMessageSize(256 << 20).build();
    java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(3);
    try {
      waitUntilServing(rest, server, "mobilenet");
      float[] image = MobilenetIT.preprocess(TestServer.shared("images/coffee.jpg"));
      tensorflow.serving.Predict.PredictRequest grpcRequest = grpcBatch(image, 64);
      String restBody = restBatch(image, 3);
      grpcTop1(channel, grpcBatch(image, 1));  // connect and warm up before the timed part
      java.util.List<java.util.concurrent.Future<Integer>> calls = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        calls.add(clients.submit(() -> grpcTop1(channel, grpcRequest)));
      }
      calls.add(clients.submit(() -> restTop1(rest, restBody)));
      Thread.sleep(500);
      p.destroy();  // SIGTERM while the batches are being served
      for (java.util.concurrent.Future<Integer> call : calls) {
        assertEquals(968, call.get(60, TimeUnit.SECONDS), "an in-flight request was dropped");
      }
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "server did not stop");
      assertEquals(0, p.exitValue(), server.output());
    } finally {
      clients.shutdownNow();
      channel.shutdownNow();
      p.destroyForcibly();
    }
  }

  /** A gRPC predict request of {@code n} copies of the image. */
  private static tensorflow.serving.Predict.PredictRequest grpcBatch(float[] image, int n) {
    java.nio.ByteBuffer content = java.nio.ByteBuffer.allocate(image.length * 4 * n).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      content.asFloatBuffer().position(i * image.length).put(image);
    }
    org.tensorflow.framework.TensorProto.Builder t = org.tensorflow.framework.TensorProto.newBuilder()
        .setDtype(org.tensorflow.framework.DataType.DT_FLOAT)
        .setTensorContent(com.google.protobuf.ByteString.copyFrom(content.array()));
    for (long d : new long[] {n, 224, 224, 3}) {
      t.getTensorShapeBuilder().addDimBuilder().setSize(d);
    }
    return tensorflow.serving.Predict.PredictRequest.newBuilder()
        .setModelSpec(tensorflow.serving.Model.ModelSpec.newBuilder().setName("mobilenet"))
        .putInputs("images", t.build()).addOutputFilter("probabilities").build();
  }

  /** Sends the request; returns the first row's top-1 class. */
  private static int grpcTop1(io.grpc.ManagedChannel channel, tensorflow.serving.Predict.PredictRequest request) {
    java.util.List<Float> scores = tensorflow.serving.PredictionServiceGrpc.newBlockingStub(channel)
        .predict(request).getOutputsOrThrow("probabilities").getFloatValList();
    int best = 0;
    for (int i = 1; i < 1001; i++) {
      best = scores.get(i) > scores.get(best) ? i : best;
    }
    return best;
  }

  private static String restBatch(float[] image, int n) {
    StringBuilder body = new StringBuilder("{\"instances\": [");
    for (int i = 0; i < n; i++) {
      body.append(i == 0 ? "" : ",").append("{\"images\": ").append(MobilenetIT.nested(image)).append("}");
    }
    return body.append("]}").toString();
  }

  private static int restTop1(int port, String body) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
        "http://127.0.0.1:" + port + "/v1/models/mobilenet:predict"))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    com.fasterxml.jackson.databind.JsonNode probabilities =
        TestServer.JSON.readTree(r.body()).get("predictions").get(0).get("probabilities");
    int best = 0;
    for (int i = 1; i < 1001; i++) {
      best = probabilities.get(i).asDouble() > probabilities.get(best).asDouble() ? i : best;
    }
    return best;
  }

  private static void waitUntilServing(int rest, Launched server, String model) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline && server.process().isAlive()) {
      try {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + rest + "/v1/models/" + model)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException notUpYet) {
        Thread.sleep(200);
      }
    }
    throw new AssertionError("server did not come up: " + server.output());
  }

  @Test
  void dockerEntrypointMapsTheImageContractToFlags() throws Exception {
    int grpc = freePort();
    int rest = freePort();
    Path log = Files.createTempFile("tessera-entrypoint", ".log");
    ProcessBuilder builder = new ProcessBuilder(REPO.resolve("docker/tf_serving_entrypoint.sh").toString(),
        "--port=" + grpc, "--rest_api_port=" + rest)  // extra args are appended, later flags win
        .redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("MODEL_NAME", "saved_model_half_plus_two_cpu");
    builder.environment().put("MODEL_BASE_PATH", TestServer.shared("testdata").toString());
    builder.environment().put("TENSORFLOW_MODEL_SERVER", REPO.resolve("bin/tensorflow_model_server").toString());
    Process p = builder.start();
    Launched server = new Launched(p, log);
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      HttpResponse<String> r = null;
      while (r == null && System.nanoTime() < deadline && p.isAlive()) {
        try {
          r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rest
              + "/v1/models/saved_model_half_plus_two_cpu")).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException notUpYet) {
          Thread.sleep(200);
        }
      }
      assertTrue(r != null, server.output());
      assertEquals(200, r.statusCode(), r.body());
      assertTrue(r.body().contains("\"AVAILABLE\""), r.body());
    } finally {
      p.destroy();
      assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    }
    assertEquals(0, p.exitValue(), server.output());
  }

  @Test
  void demoServesItsGeneratedModelForFloatsAndPhotos(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
    int grpc = freePort();
    int rest = freePort();
    Path log = Files.createTempFile("tessera-demo", ".log");
    ProcessBuilder builder = new ProcessBuilder(REPO.resolve("bin/tessera").toString(), "demo",
        "--port=" + grpc, "--rest_api_port=" + rest).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("TESSERA_JAVA_OPTS", "-Djava.io.tmpdir=" + tmp);
    Launched demo = new Launched(builder.start(), log);
    try {
      HttpClient http = HttpClient.newHttpClient();
      String url = "http://127.0.0.1:" + rest + "/v1/models/colors:predict";
      HttpResponse<String> red = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (red == null && System.nanoTime() < deadline && demo.process().isAlive()) {
        try {
          red = http.send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(
              "{\"instances\": [[[[250, 10, 10]]]]}")).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException notUpYet) {
          Thread.sleep(200);
        }
      }
      assertTrue(red != null, demo.output());
      assertEquals("red", TestServer.JSON.readTree(red.body()).get("predictions").get(0).get("label").asText(), red.body());
      String parrot = java.util.Base64.getEncoder().encodeToString(Files.readAllBytes(TestServer.shared("images/parrot.jpg")));
      HttpResponse<String> photo = http.send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers
          .ofString("{\"instances\": [{\"b64\": \"" + parrot + "\"}], \"top_k\": 1}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, photo.statusCode(), photo.body());
      assertTrue(TestServer.JSON.readTree(photo.body()).get("top_k").get(0).get(0).has("label"), photo.body());
      assertTrue(Files.exists(tmp.resolve("tessera-demo/colors/1/saved_model.pb")));
    } finally {
      demo.process().destroy();
      assertTrue(demo.process().waitFor(30, TimeUnit.SECONDS));
    }
  }

  private record Result(int exitCode, String output) {}

  /** A launched server process and the file its stdout+stderr go to. */
  private record Launched(Process process, Path log) {
    String output() throws IOException {
      return Files.readString(log, StandardCharsets.UTF_8);
    }
  }

  private static Result run(List<String> args, int timeoutSeconds) throws Exception {
    Launched l = start(args);
    assertTrue(l.process().waitFor(timeoutSeconds, TimeUnit.SECONDS), "launcher did not finish");
    return new Result(l.process().exitValue(), l.output());
  }

  private static Launched start(List<String> args) throws IOException {
    return start(args, java.util.Map.of());
  }

  /** Starts bin/tensorflow_model_server with {@code args} and extra environment variables. */
  private static Launched start(List<String> args, java.util.Map<String, String> env) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(REPO.resolve("bin/tensorflow_model_server").toString());
    command.addAll(args);
    Path log = Files.createTempFile("tessera-launcher", ".log");
    log.toFile().deleteOnExit();
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(env);
    return new Launched(builder.start(), log);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
