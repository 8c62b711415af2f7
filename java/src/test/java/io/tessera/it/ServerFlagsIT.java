package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tensorflow_model_server flags that used to be accepted and do nothing (issue 15, item 7),
 * against the real server: each works, fails start-up clearly, or --help says it is ignored and why.
 * TF Serving's behaviour is from model_servers/main.cc (flag texts), model_servers/server.cc
 * (BuildAndStart: the ALTS/SSL check, the flags' route into ServerCore::Options) and
 * core/basic_manager.cc (load/unload executors: 0 threads = the manager's own).
 */
class ServerFlagsIT {
  private static final Path REPO = Path.of(System.getProperty("tessera.repo.dir", "..")).toAbsolutePath().normalize();
  private static final Path MODEL = TestServer.shared("testdata/saved_model_half_plus_two_cpu");

  @Test
  void helpListsNoFlagAsAcceptedThatSilentlyDoesNothing() throws Exception {
    Launched help = Launched.run(List.of("--help"));
    assertEquals(255, help.exitCode(), help.output());
    assertFalse(help.output().contains("not implemented"), help.output());
    for (String ignored : List.of("flush_filesystem_caches", "enable_profiler", "xla_gpu_compilation_enabled",
        "num_tflite_pools", "skip_initialize_tpu")) {
      assertTrue(help.line("--" + ignored + "=").contains("(accepted and ignored: "), help.line("--" + ignored + "="));
    }
    for (String works : List.of("platform_config_file", "num_load_threads", "num_unload_threads",
        "remove_unused_fields_from_bundle_metagraph", "use_alts_credentials")) {
      assertFalse(help.line("--" + works + "=").contains("ignored"), help.line("--" + works + "="));
    }
  }

  @Test
  void altsCredentialsFailStartupInsteadOfServingInsecurely() throws Exception {
    Launched alts = Launched.run(List.of("--port=" + ServerProcess.freePort(), "--model_base_path=" + MODEL,
        "--use_alts_credentials=true"));
    assertEquals(255, alts.exitCode(), alts.output());
    assertTrue(alts.output().contains("Failed to start server. Error: INVALID_ARGUMENT: --use_alts_credentials=true "
        + "is not supported"), alts.output());
    assertFalse(alts.output().contains("Running gRPC ModelServer"), alts.output());
    // With --ssl_config_file as well, TF Serving's own check (server.cc) answers first.
    ServingException both = assertThrows(ServingException.class, () -> TestServer.start("default", MODEL,
        "--use_alts_credentials=true", "--ssl_config_file=/nonexistent/ssl.txt"));
    assertEquals("Either use_alts_credentials must be false or ssl_config_file must be empty.", both.getMessage());
  }

  @Test
  void valuesThisServerCannotHonourFailStartupNamingTheFlag() {
    Map<String, String> refused = Map.of(
        "--prefer_tflite_model=true", "--prefer_tflite_model=true is not supported",
        "--thread_pool_factory_config_file=/tmp/pools.txt", "--thread_pool_factory_config_file is not supported",
        "--num_load_threads=-1", "--num_load_threads must be >= 0",
        "--num_unload_threads=-2", "--num_unload_threads must be >= 0");
    refused.forEach((flag, message) -> {
      ServingException e = assertThrows(ServingException.class, () -> TestServer.start("default", MODEL, flag), flag);
      assertEquals(StatusCode.INVALID_ARGUMENT, e.code(), flag);
      assertTrue(e.getMessage().startsWith(message), flag + ": " + e.getMessage());
    });
  }

  @Test
  void loadThreadsAfterStartupAndUnloadThreadsAreTheFlagsValues(@TempDir Path dir) throws Exception {
    Path base = dir.resolve("model");
    ModelDirs.addVersion(ModelDirs.HALF_PLUS_TWO, base, 1);
    try (ThreadOfLog unloads = new ThreadOfLog("Done unloading servable version");
        TestServer server = TestServer.start("default", base, "--num_load_threads=3", "--num_unload_threads=2",
            "--file_system_poll_wait_seconds=1")) {
      // The initial load ran on up to 4 x CPUs threads; now exactly --num_load_threads remain.
      waitUntil(() -> liveThreads("tessera-manager-") == 3, "3 manager threads, not " + liveThreads("tessera-manager-"));
      ModelDirs.addVersion(ModelDirs.HALF_PLUS_TWO, base, 2);
      ModelDirs.await(server, "default", 30, states -> "END".equals(states.get(1L)));
      String freedOn = unloads.threadName();
      System.out.println("ServerFlagsIT: version 1 freed on " + freedOn);
      assertTrue(freedOn.startsWith("tessera-unload-"), freedOn);
    }
    try (ThreadOfLog unloads = new ThreadOfLog("Done unloading servable version");
        TestServer server = TestServer.start("default", base, "--file_system_poll_wait_seconds=1")) {
      waitUntil(() -> liveThreads("tessera-manager-") == 1, "TF Serving's default 0: one manager thread");
      ModelDirs.removeVersion(base, 2);
      ModelDirs.addVersion(ModelDirs.HALF_PLUS_TWO, base, 3);
      ModelDirs.await(server, "default", 30, states -> "END".equals(states.get(2L)));
      assertTrue(unloads.threadName().startsWith("tessera-manager-"), unloads.threadName());
    }
  }

  @Test
  void metadataIsTheSameWithAndWithoutRemovingUnusedMetaGraphFields() throws Exception {
    String kept;
    try (TestServer server = TestServer.start("default", MODEL, "--remove_unused_fields_from_bundle_metagraph=false")) {
      kept = server.get("/v1/models/default/metadata").body();
    }
    try (TestServer server = TestServer.start("default", MODEL)) {
      // As JSON values: the signature map's order follows TensorFlow's (C++ map) order in each load.
      assertEquals(TestServer.JSON.readTree(kept), TestServer.JSON.readTree(server.get("/v1/models/default/metadata")
          .body()), "TF Serving keeps the signatures either way");
    }
    assertTrue(kept.contains("\"serving_default\""), kept);
  }

  @Test
  void ignoredFlagsAreNamedWithTheReasonWhenSet() throws Exception {
    try (ServerProcess server = ServerProcess.start("", "/v1/models/default", "--model_base_path=" + MODEL,
        "--flush_filesystem_caches=false", "--enable_profiler=false")) {
      String log = server.output();
      assertTrue(log.contains("--flush_filesystem_caches is accepted and ignored: TensorFlow keeps file-system caches "
          + "only for remote file systems"), log);
      assertTrue(log.contains("--enable_profiler is accepted and ignored: "), log);
    }
  }

  private static long liveThreads(String prefix) {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(prefix)).count();
  }

  private static void waitUntil(java.util.function.BooleanSupplier condition, String what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what);
      }
      Thread.sleep(20);
    }
  }

  /** The name of the (live) thread that logged the first message starting with a prefix. */
  private static final class ThreadOfLog extends Handler implements AutoCloseable {
    private static final Logger ROOT = Logger.getLogger("io.tessera");
    private final String prefix;
    private final Map<String, String> found = new ConcurrentHashMap<>();

    ThreadOfLog(String prefix) {
      this.prefix = prefix;
      ROOT.addHandler(this);
    }

    String threadName() throws Exception {
      waitUntil(() -> found.containsKey(prefix), "no log message starting with " + prefix);
      return found.get(prefix);
    }

    @Override
    public void publish(LogRecord record) {
      if (record.getMessage() != null && record.getMessage().startsWith(prefix)) {
        found.putIfAbsent(prefix, Thread.currentThread().getName());  // JUL publishes on the logging thread
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
      ROOT.removeHandler(this);
    }
  }

  /** bin/tensorflow_model_server run to completion: exit code and output. */
  record Launched(int exitCode, String output) {
    static Launched run(List<String> args) throws Exception {
      List<String> command = new ArrayList<>(List.of(REPO.resolve("bin/tensorflow_model_server").toString()));
      command.addAll(args);
      Path log = Files.createTempFile("tessera-flags", ".log");
      try {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
          throw new AssertionError("did not finish: " + command);
        }
        return new Launched(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(log);
      }
    }

    String line(String prefix) {
      return output.lines().filter(l -> l.strip().startsWith(prefix)).findFirst().orElse("(no line " + prefix + ")");
    }
  }
}
