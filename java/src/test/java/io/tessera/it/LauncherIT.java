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
    List<String> command = new ArrayList<>();
    command.add(REPO.resolve("bin/tensorflow_model_server").toString());
    command.addAll(args);
    Path log = Files.createTempFile("tessera-launcher", ".log");
    log.toFile().deleteOnExit();
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new Launched(p, log);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
