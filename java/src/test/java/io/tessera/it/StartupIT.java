package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.server.FlagParser;
import io.tessera.server.ServerFlags;
import io.tessera.server.ServerOptions;
import io.tessera.server.TesseraServer;
import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Start-up problems an operator meets, each reported with what the server waits for and why:
 * missing base path, a file, no numeric versions, a specific version absent (all bounded by
 * --startup_timeout_seconds here; unbounded by default, as TF Serving), an unserved URI scheme,
 * and a busy port found before any model loads.
 */
class StartupIT {
  private static ServingException startupFails(String... flags) {
    return assertThrows(ServingException.class, () -> {
      try (TestServer unexpected = TestServer.startPolling(Duration.ofMillis(200), flags)) {
        throw new AssertionError("started");
      }
    });
  }

  @Test
  void missingBasePathTimesOutSayingItDoesNotExist(@TempDir Path dir) {
    Path base = dir.resolve("nowhere");
    ServingException e = startupFails("--model_name=m", "--model_base_path=" + base, "--startup_timeout_seconds=1");
    assertEquals(StatusCode.DEADLINE_EXCEEDED, e.code(), e.getMessage());
    assertTrue(e.getMessage().contains("--startup_timeout_seconds=1"), e.getMessage());
    assertTrue(e.getMessage().contains("m (model m: base path " + base + " does not exist)"), e.getMessage());
  }

  @Test
  void aFileAsBasePathIsNotADirectory(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("model.txt"), "not a model");
    ServingException e = startupFails("--model_name=m", "--model_base_path=" + file, "--startup_timeout_seconds=1");
    assertTrue(e.getMessage().contains("base path " + file + " is not a directory"), e.getMessage());
  }

  @Test
  void anEmptyBasePathHasNoNumericVersion(@TempDir Path base) throws Exception {
    Files.createDirectories(base.resolve("latest"));  // not a number: ignored
    ServingException e = startupFails("--model_name=m", "--model_base_path=" + base, "--startup_timeout_seconds=1");
    assertTrue(e.getMessage().contains("has no numeric version directory"), e.getMessage());
  }

  @Test
  void aSpecificVersionThatIsAbsentIsNamed(@TempDir Path dir) throws Exception {
    Path base = dir.resolve("m");
    ModelDirs.addVersion(ModelDirs.HALF_PLUS_TWO, base, 1);
    Path config = Files.writeString(dir.resolve("models.config"), "model_config_list { config { name: \"m\" "
        + "base_path: \"" + base + "\" model_platform: \"tensorflow\" "
        + "model_version_policy { specific { versions: 7 } } } }");
    ServingException e = startupFails("--model_config_file=" + config, "--startup_timeout_seconds=1");
    assertTrue(e.getMessage().contains("lacks the versions [7] that its version policy asks for"), e.getMessage());
  }

  /** The periodic line (every 10 s) says why; without the timeout it would repeat forever. */
  @Test
  void thePeriodicWaitingLineSaysWhatItWaitsFor(@TempDir Path dir) {
    Path base = dir.resolve("later");
    try (LogCapture log = new LogCapture()) {
      startupFails("--model_name=m", "--model_base_path=" + base, "--startup_timeout_seconds=11");
      assertEquals(1, log.count("Still waiting for model m to load (10 s): model m: base path " + base
          + " does not exist"), log.toString());
    }
  }

  @Test
  void aUriSchemeThatIsNotServedIsAClearErrorNotARelativePath() {
    for (String uri : new String[] {"gs://bucket/models/m", "hdfs://namenode/models/m", "HTTP://host/m"}) {
      ServingException e = startupFails("--model_name=m", "--model_base_path=" + uri);
      assertEquals(StatusCode.INVALID_ARGUMENT, e.code());
      // TensorFlow's words for a file system it has no implementation of (tsl/platform/env.cc)
      String scheme = uri.substring(0, uri.indexOf(':')).toLowerCase(java.util.Locale.ROOT);
      assertTrue(e.getMessage().contains("File system scheme '" + scheme + "' not implemented (file: '" + uri + "')"),
          e.getMessage());
    }
  }

  @Test
  void aFileUriIsServedAsItsLocalPath(@TempDir Path base) throws Exception {
    ModelDirs.addVersion(ModelDirs.HALF_PLUS_TWO, base, 3);
    try (TestServer server = TestServer.startPolling(Duration.ZERO, "--model_name=m",
        "--model_base_path=" + base.toUri())) {
      assertEquals(200, server.post("/v1/models/m:predict", "{\"instances\": [1.0]}").statusCode());
    }
  }

  @Test
  void aBusyPortFailsBeforeAnyModelLoadsAndNamesThePort() throws Exception {
    try (ServerSocket busy = new ServerSocket(); LogCapture log = new LogCapture()) {
      busy.bind(new InetSocketAddress("127.0.0.1", 0));
      int port = busy.getLocalPort();
      FlagParser.Result flags = FlagParser.parse(ServerFlags.ALL, new String[] {"--model_name=m",
          "--model_base_path=" + ModelDirs.HALF_PLUS_TWO.getParent(), "--grpc_bind_address=127.0.0.1",
          "--rest_api_bind_address=127.0.0.1", "--port=" + ServerProcess.freePort(), "--rest_api_port=" + port});
      ServingException e = assertThrows(ServingException.class,
          () -> TesseraServer.start(ServerOptions.fromFlags(flags)).close());
      assertEquals(StatusCode.UNAVAILABLE, e.code());
      assertTrue(e.getMessage().startsWith("Cannot listen on 127.0.0.1:" + port + " (--rest_api_port=" + port + ")"),
          e.getMessage());
      assertEquals(0, log.count("Aspired versions of servable m"), "no model was looked at: " + log);
    }
  }
}
