package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.proto.serving.ModelSpec;
import io.tessera.proto.serving.PredictLog;
import io.tessera.proto.serving.PredictRequest;
import io.tessera.proto.serving.PredictionLog;
import io.tessera.proto.tf.TensorProto;
import io.tessera.servables.warmup.TFRecordReader;
import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** assets.extra/tf_serving_warmup_requests: replayed before AVAILABLE; bad data fails the load. */
class WarmupIT {
  private static final Path GOOD = TestServer.shared("testdata/saved_model_half_plus_two_cpu_warmup");
  private static final Path BAD = TestServer.shared("testdata/saved_model_half_plus_two_cpu_bad_warmup");
  private LogCapture log;

  @BeforeEach
  void captureLog() {
    log = new LogCapture();
  }

  @AfterEach
  void releaseLog() {
    log.close();
  }

  private String warmupLine() {
    return log.first("Finished reading warmup data");
  }

  @Test
  void goodWarmupFileIsReplayedBeforeServing() throws Exception {
    try (TestServer server = TestServer.startPolling(Duration.ZERO, "--model_name=default",
        "--model_base_path=" + GOOD, "--num_request_iterations_for_warmup=3")) {
      // 3 records (predict, classify, regress) x 3 iterations, all replayed.
      assertTrue(warmupLine().contains("3 records, 3 iteration(s), 9 requests replayed"), warmupLine());
      assertEquals(200, server.post("/v1/models/default:predict", "{\"instances\": [2.0]}").statusCode());
    }
    TestServer.assertNoLeaks();
  }

  @Test
  void corruptWarmupFileFailsTheLoadUnlessWarmupIsOff() throws Exception {
    ServingException e = assertThrows(ServingException.class, () -> TestServer.startPolling(Duration.ZERO,
        "--model_name=default", "--model_base_path=" + BAD));
    assertEquals(StatusCode.DATA_LOSS, e.code());
    assertTrue(e.getMessage().contains("Please verify your warmup data is in TFRecord format."), e.getMessage());
    try (TestServer server = TestServer.startPolling(Duration.ZERO, "--model_name=default",
        "--model_base_path=" + BAD, "--enable_model_warmup=false")) {
      assertEquals(200, server.post("/v1/models/default:predict", "{\"instances\": [2.0]}").statusCode());
      assertEquals("none", warmupLine());
    }
  }

  @Test
  void moreThanAThousandRecordsOrAFailingRequestFailTheLoad(@TempDir Path dir) throws Exception {
    PredictionLog good = PredictionLog.newBuilder().setPredictLog(PredictLog.newBuilder().setRequest(
        PredictRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName("ignored"))
            .putInputs("x", TensorProto.newBuilder().setDtypeValue(1).addFloatVal(2.0f).build()))).build();
    Path tooMany = withWarmup(dir.resolve("many"), good, 1001);
    ServingException e = assertThrows(ServingException.class, () -> TestServer.startPolling(Duration.ZERO,
        "--model_name=m", "--model_base_path=" + tooMany.getParent()));
    assertEquals(StatusCode.INVALID_ARGUMENT, e.code());
    assertTrue(e.getMessage().contains("exceeds the maximum (1000)"), e.getMessage());

    PredictionLog wrongSignature = good.toBuilder().setPredictLog(good.getPredictLog().toBuilder()
        .setRequest(good.getPredictLog().getRequest().toBuilder()
            .setModelSpec(ModelSpec.newBuilder().setSignatureName("nope")))).build();
    Path failing = withWarmup(dir.resolve("failing"), wrongSignature, 1);
    e = assertThrows(ServingException.class, () -> TestServer.startPolling(Duration.ZERO,
        "--model_name=m", "--model_base_path=" + failing.getParent()));
    // predict_util.cc RunPredict: FAILED_PRECONDITION, as for a live Predict
    assertTrue(e.getMessage().contains("Serving signature key \"nope\" not found."), e.getMessage());

    Path thousand = withWarmup(dir.resolve("thousand"), good, 1000);
    try (TestServer server = TestServer.startPolling(Duration.ZERO, "--model_name=m",
        "--model_base_path=" + thousand.getParent())) {
      assertTrue(warmupLine().contains("1000 records, 1 iteration(s), 1000 requests replayed"), warmupLine());
    }
    TestServer.assertNoLeaks();
  }

  /** A copy of half_plus_two version 1 under {@code base} whose warmup file holds {@code n} copies of {@code record}. */
  private static Path withWarmup(Path base, PredictionLog record, int n) throws Exception {
    Path version = base.resolve("1");
    ModelDirs.copyTree(ModelDirs.HALF_PLUS_TWO, version);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] framed = TFRecordReader.frame(record.toByteArray());
    for (int i = 0; i < n; i++) {
      out.write(framed);
    }
    Files.createDirectories(version.resolve("assets.extra"));
    Files.write(version.resolve("assets.extra/tf_serving_warmup_requests"), out.toByteArray());
    return version;
  }
}
