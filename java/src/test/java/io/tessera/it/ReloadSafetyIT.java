package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.TextFormat;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tensorflow.serving.GetModelStatus.GetModelStatusRequest;
import tensorflow.serving.Model.ModelSpec;
import tensorflow.serving.ModelManagement.ReloadConfigRequest;
import tensorflow.serving.ModelManagement.ReloadConfigResponse;
import tensorflow.serving.ModelServerConfigOuterClass.ModelServerConfig;
import tensorflow.serving.ModelServiceGrpc;
import tensorflow.serving.Predict.PredictRequest;
import tensorflow.serving.PredictionServiceGrpc;

/**
 * HandleReloadConfigRequest is safe to expose: a config that cannot be applied is rejected as a
 * whole before anything is unloaded, calls are bounded and never take the request workers, and
 * the RPC can be switched off.
 */
class ReloadSafetyIT {
  private static final Path TWO = TestServer.shared("testdata/saved_model_half_plus_two_cpu");
  private static final Path THREE = TestServer.shared("testdata/saved_model_half_plus_three");
  private static final String BOGUS = list(model("bogus", Path.of("/nonexistent")));

  private static String model(String name, Path base) {
    return "config { name: \"" + name + "\" base_path: \"" + base + "\" model_platform: \"tensorflow\" }";
  }

  private static String list(String... models) {
    return "model_config_list { " + String.join(" ", models) + " }";
  }

  private static TestServer serveTwo(Path dir, String... flags) throws Exception {
    List<String> all = new ArrayList<>(List.of("--model_config_file="
        + Files.writeString(dir.resolve("models.config"), list(model("two", TWO))),
        "--grpc_max_threads=2"));
    all.addAll(List.of(flags));
    return TestServer.startPolling(Duration.ZERO, all.toArray(new String[0]));
  }

  private static ReloadConfigResponse reload(TestServer server, String text, long deadlineMillis) throws Exception {
    return ModelServiceGrpc.newBlockingStub(server.channel()).withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS)
        .handleReloadConfigRequest(ReloadConfigRequest.newBuilder()
            .setConfig(TextFormat.parse(text, ModelServerConfig.class)).build());
  }

  private static long millisSince(long startedNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
  }

  /** A gRPC Predict and a GetModelStatus on "two", each with a 1 s deadline; returns the slower, ms. */
  private static long probe(TestServer server) {
    long started = System.nanoTime();
    PredictionServiceGrpc.newBlockingStub(server.channel()).withDeadlineAfter(1, TimeUnit.SECONDS)
        .predict(PredictRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName("two"))
            .putInputs("x", HalfPlusTwoIT.floats(1f)).build());
    long predict = millisSince(started);
    started = System.nanoTime();
    ModelServiceGrpc.newBlockingStub(server.channel()).withDeadlineAfter(1, TimeUnit.SECONDS)
        .getModelStatus(GetModelStatusRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName("two")).build());
    return Math.max(predict, millisSince(started));
  }

  @Test
  void aConfigNamingAMissingBasePathIsRejectedAndEveryModelKeepsServing(@TempDir Path dir) throws Exception {
    try (TestServer server = serveTwo(dir)) {
      long started = System.nanoTime();
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> reload(server, BOGUS, 10_000));
      long millis = millisSince(started);
      System.out.println("ReloadSafetyIT: bogus reload rejected in " + millis + " ms: " + e.getStatus());
      assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
      assertTrue(e.getStatus().getDescription().contains("bogus")
          && e.getStatus().getDescription().contains("/nonexistent"), e.getStatus().getDescription());
      assertTrue(millis < 2_000, "answered in " + millis + " ms");
      assertEquals(200, server.post("/v1/models/two:predict", "{\"instances\": [1.0]}").statusCode());
      assertEquals(200, server.get("/readyz").statusCode());
      assertEquals(Map.of(123L, "AVAILABLE"), ModelDirs.states(server, "two"));

      // One bad model rejects the whole config: "two" stays even though the config drops it.
      Path empty = Files.createDirectories(dir.resolve("empty"));
      e = assertThrows(StatusRuntimeException.class, () -> reload(server, list(model("three", THREE),
          model("nothing", empty)), 10_000));
      assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
      assertTrue(e.getStatus().getDescription().contains("nothing"), e.getStatus().getDescription());
      assertEquals(Map.of(123L, "AVAILABLE"), ModelDirs.states(server, "two"));
      assertTrue(server.post("/v1/models/three:predict", "{\"instances\": [1.0]}").statusCode() == 404);
    }
  }

  @Test
  void concurrentBogusReloadsLeaveServingResponsiveAndAGoodReloadStillWorks(@TempDir Path dir) throws Exception {
    ExecutorService clients = Executors.newFixedThreadPool(8);
    try (TestServer server = serveTwo(dir)) {
      List<Future<Status.Code>> calls = new ArrayList<>();
      long started = System.nanoTime();
      for (int i = 0; i < 8; i++) {
        calls.add(clients.submit(() -> {
          try {
            reload(server, BOGUS, 2_000);
            return Status.Code.OK;
          } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
          }
        }));
      }
      long slowest = 0;
      for (int i = 0; i < 10; i++) {
        slowest = Math.max(slowest, probe(server));
      }
      for (Future<Status.Code> call : calls) {
        assertEquals(Status.Code.FAILED_PRECONDITION, call.get(10, TimeUnit.SECONDS));
      }
      long allRejected = millisSince(started);
      System.out.println("ReloadSafetyIT: 8 concurrent bogus reloads rejected within " + allRejected
          + " ms; slowest Predict/GetModelStatus meanwhile " + slowest + " ms");
      assertTrue(slowest < 1_000, "slowest probe " + slowest + " ms");
      assertTrue(allRejected < 2_000, "all rejected after " + allRejected + " ms");
      assertTrue(probe(server) < 1_000);

      started = System.nanoTime();
      assertEquals(0, reload(server, list(model("two", TWO), model("three", THREE)), 30_000)
          .getStatus().getErrorCodeValue());
      System.out.println("ReloadSafetyIT: good reload after them took " + millisSince(started) + " ms");
      assertEquals(200, server.post("/v1/models/three:predict", "{\"instances\": [1.0]}").statusCode());
      assertEquals(200, server.post("/v1/models/two:predict", "{\"instances\": [1.0]}").statusCode());
    } finally {
      clients.shutdownNow();
    }
  }

  /** A base path that passes the on-disk check but whose version fails to load (and is retried). */
  private static Path corrupt(Path dir) throws Exception {
    Path version = Files.createDirectories(dir.resolve("corrupt/1"));
    Files.writeString(version.resolve("saved_model.pb"), "not a SavedModel");
    return version.getParent();
  }

  @Test
  void reloadsThatWaitForModelsAreBoundedByTheirDeadlineAndNeverTakeTheWorkers(@TempDir Path dir) throws Exception {
    ExecutorService clients = Executors.newFixedThreadPool(8);
    // Each failed load is retried 10 times, 300 ms apart: a reload of "corrupt" waits ≈ 3 s.
    try (TestServer server = serveTwo(dir, "--max_num_load_retries=10", "--load_retry_interval_micros=300000")) {
      String slow = list(model("two", TWO), model("corrupt", corrupt(dir)));
      List<Future<String>> calls = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        calls.add(clients.submit(() -> {
          long started = System.nanoTime();
          try {
            reload(server, slow, 2_000);
            return "OK";
          } catch (StatusRuntimeException e) {
            return e.getStatus().getCode() + " after " + millisSince(started) + " ms";
          }
        }));
      }
      long slowest = 0;
      for (int i = 0; i < 10; i++) {
        slowest = Math.max(slowest, probe(server));
        Thread.sleep(100);
      }
      List<String> outcomes = new ArrayList<>();
      for (Future<String> call : calls) {
        outcomes.add(call.get(10, TimeUnit.SECONDS));
      }
      System.out.println("ReloadSafetyIT: 8 waiting reloads (2 s deadlines): " + outcomes
          + "; slowest Predict/GetModelStatus meanwhile " + slowest + " ms");
      for (String outcome : outcomes) {
        assertTrue(outcome.startsWith("DEADLINE_EXCEEDED"), outcome);
        assertTrue(Long.parseLong(outcome.replaceAll("\\D", "")) < 3_000, outcome);
      }
      assertTrue(slowest < 1_000, "slowest probe " + slowest + " ms");

      // The cancelled reloads released the config lock: a good reload (dropping "corrupt") works.
      long started = System.nanoTime();
      assertEquals(0, reload(server, list(model("two", TWO), model("three", THREE)), 30_000)
          .getStatus().getErrorCodeValue());
      System.out.println("ReloadSafetyIT: good reload after them took " + millisSince(started) + " ms");
      assertEquals(200, server.post("/v1/models/three:predict", "{\"instances\": [1.0]}").statusCode());
      assertTrue(probe(server) < 1_000);
    } finally {
      clients.shutdownNow();
    }
  }

  @Test
  void theServerBoundsAReloadWhoseClientSetNoDeadline(@TempDir Path dir) throws Exception {
    try (TestServer server = serveTwo(dir, "--reload_config_max_seconds=1", "--max_num_load_retries=10",
        "--load_retry_interval_micros=300000")) {
      long started = System.nanoTime();
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> ModelServiceGrpc
          .newBlockingStub(server.channel()).handleReloadConfigRequest(ReloadConfigRequest.newBuilder()
              .setConfig(TextFormat.parse(list(model("two", TWO), model("corrupt", corrupt(dir))),
                  ModelServerConfig.class)).build()));
      long millis = millisSince(started);
      System.out.println("ReloadSafetyIT: reload without a client deadline answered after " + millis + " ms: "
          + e.getStatus());
      assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
      assertTrue(e.getStatus().getDescription().contains("is in effect"), e.getStatus().getDescription());
      assertTrue(millis >= 900 && millis < 2_500, millis + " ms");
      assertEquals(200, server.post("/v1/models/two:predict", "{\"instances\": [1.0]}").statusCode());
    }
  }

  @Test
  void aPolledConfigFileNamingAMissingBasePathIsNotAppliedUntilItsModelAppears(@TempDir Path dir) throws Exception {
    Path config = Files.writeString(dir.resolve("models.config"), list(model("two", TWO)));
    Path later = dir.resolve("later");
    try (LogCapture log = new LogCapture(); TestServer server = TestServer.startPolling(Duration.ofMillis(100),
        "--model_config_file=" + config, "--model_config_file_poll_wait_seconds=1")) {
      Files.writeString(dir.resolve("next.config"), list(model("later", later)));
      Files.move(dir.resolve("next.config"), config, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      Thread.sleep(1_000);  // several polls
      assertEquals(Map.of(123L, "AVAILABLE"), ModelDirs.states(server, "two"));
      assertEquals(200, server.get("/readyz").statusCode());
      assertEquals(1, log.count("base path " + later + " does not exist"), log.toString());

      ModelDirs.copyTree(TWO, dir.resolve("staging"));  // the model arrives: the next poll applies the file
      Files.move(dir.resolve("staging"), later, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      ModelDirs.await(server, "later", 30, ModelDirs.availableExactly(123L));
      ModelDirs.await(server, "two", 30, s -> s.equals(Map.of(123L, "END")));
    }
  }

  @Test
  void theRpcCanBeSwitchedOff(@TempDir Path dir) throws Exception {
    try (TestServer server = serveTwo(dir, "--enable_reload_config_rpc=false")) {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
          () -> reload(server, list(model("three", THREE)), 10_000));
      assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());
      assertTrue(e.getStatus().getDescription().contains("--enable_reload_config_rpc"), e.getStatus().getDescription());
      assertEquals(Map.of(123L, "AVAILABLE"), ModelDirs.states(server, "two"));
    }
  }
}
