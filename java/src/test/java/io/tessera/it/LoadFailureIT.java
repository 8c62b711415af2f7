package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Int64Value;
import io.tessera.status.ServingException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tensorflow.serving.GetModelStatus.GetModelStatusRequest;
import tensorflow.serving.GetModelStatus.ModelVersionStatus;
import tensorflow.serving.Model.ModelSpec;
import tensorflow.serving.ModelServiceGrpc;

/** Versions that fail to load: retries, cancellation, status errors, no displacement, start-up. */
class LoadFailureIT {
  private static final Path BAD = TestServer.shared("testdata/bad_half_plus_two/00000123");
  private LogCapture log;

  @BeforeEach
  void captureLog() {
    log = new LogCapture();
  }

  @AfterEach
  void releaseLog() {
    log.close();
  }

  private long count(String fragment) {
    return log.count(fragment);
  }

  @Test
  void modelThatCannotLoadFailsStartupAfterItsRetries() {
    ServingException e = assertThrows(ServingException.class, () -> TestServer.startPolling(Duration.ZERO,
        "--model_name=bad", "--model_base_path=" + BAD.getParent(), "--max_num_load_retries=2",
        "--load_retry_interval_micros=50000"));
    assertTrue(e.getMessage().contains("{name: bad version: 123} failed"), e.getMessage());
    assertEquals(2, count("Retrying load of {name: bad version: 123}"), log.toString());
  }

  @Test
  void failedVersionShowsItsErrorAndNeverDisplacesTheServingOne(@TempDir Path base) throws Exception {
    ModelDirs.addVersion(ModelDirs.HALF_PLUS_TWO, base, 1);
    try (TestServer server = TestServer.startPolling(Duration.ofMillis(100),
        "--model_name=m", "--model_base_path=" + base, "--max_num_load_retries=1",
        "--load_retry_interval_micros=100000")) {
      ModelDirs.addVersion(BAD, base, 2);
      ModelDirs.await(server, "m", 30, s -> "END".equals(s.get(2L)));
      assertEquals(1, count("Retrying load of {name: m version: 2}"));
      assertEquals("AVAILABLE", ModelDirs.states(server, "m").get(1L));
      assertEquals(200, server.post("/v1/models/m:predict", "{\"instances\": [1.0]}").statusCode());

      JsonNode rest = TestServer.json(server.get("/v1/models/m/versions/2")).get("model_version_status").get(0);
      assertFalse(rest.get("status").get("error_code").asText().equals("OK"), rest.toString());
      assertFalse(rest.get("status").get("error_message").asText().isEmpty(), rest.toString());
      ModelVersionStatus grpc = ModelServiceGrpc.newBlockingStub(server.channel()).getModelStatus(
          GetModelStatusRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName("m")
              .setVersion(Int64Value.of(2))).build()).getModelVersionStatus(0);
      assertEquals(ModelVersionStatus.State.END, grpc.getState());
      assertEquals(rest.get("status").get("error_message").asText(), grpc.getStatus().getErrorMessage());
      assertTrue(grpc.getStatus().getErrorCodeValue() != 0);
      // Failed versions are not retried on later polls.
      Thread.sleep(500);
      assertEquals(1, count("Retrying load of {name: m version: 2}"));
    }
  }

  @Test
  void retriesStopWhenTheVersionIsNoLongerAspired(@TempDir Path base) throws Exception {
    ModelDirs.addVersion(ModelDirs.HALF_PLUS_TWO, base, 1);
    try (TestServer server = TestServer.startPolling(Duration.ofMillis(100),
        "--model_name=m", "--model_base_path=" + base, "--max_num_load_retries=5",
        "--load_retry_interval_micros=60000000")) {
      ModelDirs.addVersion(BAD, base, 2);
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (count("Loading servable {name: m version: 2} failed") == 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      long started = System.nanoTime();
      ModelDirs.removeVersion(base, 2);
      ModelDirs.addVersion(ModelDirs.HALF_PLUS_TWO, base, 3);
      // Without cancellation the manager would sit in a 60 s retry sleep.
      ModelDirs.await(server, "m", 20, ModelDirs.availableExactly(3L));
      assertTrue(Duration.ofNanos(System.nanoTime() - started).toSeconds() < 20);
      assertEquals(1, count("Cancelled load retries of {name: m version: 2}"));
      assertEquals(0, count("Retrying load of {name: m version: 2}"));
    }
  }
}
