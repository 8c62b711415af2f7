package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker/Dockerfile's runtime filesystem, built without a Docker engine by
 * docker/layout-from-checkout.sh (the Dockerfile's COPY lines, then docker/image-layout.sh, which the
 * Dockerfile runs too), and its entrypoint run as the tensorflow/serving image is: MODEL_NAME and
 * MODEL_BASE_PATH, extra arguments appended, as a non-root user (nobody, when the tests run as root)
 * who cannot write the image's files. TensorFlow's natives come from the cache extracted at build
 * time: the start writes next to nothing (not ~650 MB) and serves. Start-up time is printed
 * (bench/image-startup.sh compares it with a warm host run), not asserted.
 */
class ImageLayoutIT {
  private static final Path REPO = Path.of(System.getProperty("tessera.repo.dir", "..")).toAbsolutePath().normalize();

  @Test
  void theImageEntrypointServesFromTheBuiltLayoutAsNonRootWithoutExtractingNatives(@TempDir Path dir) throws Exception {
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path root = dir.resolve("root");
    Process build = new ProcessBuilder(REPO.resolve("docker/layout-from-checkout.sh").toString(), root.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("build.log").toFile()).start();
    assertTrue(build.waitFor(300, TimeUnit.SECONDS), "layout build did not finish");
    assertEquals(0, build.exitValue(), Files.readString(dir.resolve("build.log")));
    Path cache = root.resolve("opt/tessera/javacpp-cache");
    assertTrue(Files.readString(cache.resolve("library-dirs")).contains("tensorflow-core-native"), "natives extracted");
    assertTrue(Files.getPosixFilePermissions(cache).stream().noneMatch(p -> p.name().endsWith("WRITE")), "read-only cache");
    long cacheFiles = count(cache);

    Path models = Files.createDirectories(dir.resolve("models"));
    Files.createSymbolicLink(models.resolve("half"), TestServer.shared("testdata/saved_model_half_plus_two_cpu"));
    Path tmp = Files.createDirectories(dir.resolve("tmp"));
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx"));
    int grpc = ServerProcess.freePort();
    int rest = ServerProcess.freePort();
    List<String> command = new ArrayList<>();
    if (isRoot()) {
      // The image runs as a non-root user; setpriv execs (no wrapper process), so SIGTERM reaches the
      // server as it does PID 1 in a container.
      command.addAll(List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"));
    }
    command.addAll(List.of("env", "PATH=" + root.resolve("usr/bin") + ":/usr/bin:/bin", "MODEL_NAME=half",
        "MODEL_BASE_PATH=" + models, "TESSERA_JAVA_OPTS=-Djava.io.tmpdir=" + tmp, "HOME=" + tmp,
        root.resolve("usr/bin/tf_serving_entrypoint.sh").toString(),
        "--port=" + grpc, "--rest_api_port=" + rest, "--rest_api_bind_address=127.0.0.1", "--grpc_bind_address=127.0.0.1"));
    Path log = dir.resolve("server.log");
    long started = System.nanoTime();
    Process server = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      String base = "http://127.0.0.1:" + rest;
      OperationsIT.waitFor(() -> {
        assertTrue(server.isAlive(), () -> "exited: " + read(log));
        try {
          return http.send(HttpRequest.newBuilder(URI.create(base + "/readyz")).build(),
              HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException notUpYet) {
          return false;
        }
      }, Duration.ofSeconds(120));
      System.out.println("ImageLayoutIT: ready " + (System.nanoTime() - started) / 1_000_000
          + " ms after the entrypoint started (loaded machine: noisy)");
      HttpResponse<String> predict = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/models/half:predict"))
          .POST(HttpRequest.BodyPublishers.ofString("{\"instances\": [1.0, 2.0, 5.0]}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, predict.statusCode(), predict.body());
      assertEquals(TestServer.JSON.readTree("{\"predictions\": [2.5, 3.0, 4.5]}"), TestServer.JSON.readTree(predict.body()));
      assertEquals(0, healthcheck(rest), "the Dockerfile's HEALTHCHECK passes once ready");
      String output = read(log);
      assertTrue(output.contains("-Dorg.bytedeco.javacpp.pathsFirst=true"), output);
      assertTrue(output.contains("Aspired versions of servable half: [123]"), "MODEL_NAME and MODEL_BASE_PATH: " + output);
    } finally {
      server.destroy();
      assertTrue(server.waitFor(30, TimeUnit.SECONDS), "did not stop on SIGTERM");
    }
    assertEquals(0, server.exitValue(), read(log));
    long written = bytes(tmp);
    System.out.println("ImageLayoutIT: " + written + " bytes written to the temporary directory at start");
    assertTrue(written < 1 << 20, "natives were extracted at start: " + written + " bytes under " + tmp);
    assertEquals(cacheFiles, count(cache), "the image's cache is unchanged");
  }

  /** Runs docker/Dockerfile's HEALTHCHECK command (its exec form) against {@code port} instead of 8501. */
  private static int healthcheck(int port) throws Exception {
    String dockerfile = Files.readString(REPO.resolve("docker/Dockerfile"));
    int at = dockerfile.indexOf("CMD [", dockerfile.indexOf("HEALTHCHECK"));
    String json = dockerfile.substring(at + 4, dockerfile.indexOf('\n', at));
    List<String> command = new ArrayList<>();
    TestServer.JSON.readTree(json).forEach(arg -> command.add(arg.asText().replace("8501", Integer.toString(port))));
    Process check = new ProcessBuilder(command).redirectErrorStream(true).start();
    assertTrue(check.waitFor(10, TimeUnit.SECONDS), "HEALTHCHECK hung: " + command);
    return check.exitValue();
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static String read(Path log) {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return e.toString();
    }
  }

  private static long count(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.count();
    }
  }

  private static long bytes(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }
}
