package io.tessera.servables.batching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.nativebridge.BatchThreads;
import io.tessera.nativebridge.BatchingSession;
import io.tessera.nativebridge.HostBuffer;
import io.tessera.nativebridge.NativeHandle;
import io.tessera.proto.serving.config.BatchingParameters;
import io.tessera.servables.RunResult;
import io.tessera.servables.SavedModelBundle;
import io.tessera.servables.SignatureRunner;
import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import io.tessera.tensor.DataType;
import io.tessera.tensor.InputTensor;
import io.tessera.tensor.OutputTensor;
import io.tessera.tensor.TensorBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The native batching session on matrix_half_plus_two (x: float [-1,3,3], y = 0.5x + 2). */
class BatchingSessionTest {
  private static final Path MATRIX = Path.of(System.getProperty("tessera.shared.dir", "../../shared"))
      .resolve("testdata/matrix_half_plus_two/1");

  /** One batch thread shared by every session of this class, as the server shares them. */
  private static BatchThreads threads;

  @BeforeAll
  static void startThreads() {
    threads = BatchThreads.start(1);
  }

  @AfterAll
  static void stopThreads() {
    threads.close();
  }

  private static SavedModelBundle bundle(BatchingSession.Settings settings) {
    return SavedModelBundle.load(MATRIX, List.of("serve"), new byte[0]).withBatching(settings, threads);
  }

  /** Runs one request of {@code rows} 3x3 matrices; returns the outputs (checked against 0.5x+2). */
  private static void runAndCheck(SavedModelBundle bundle, float[] values) {
    int rows = values.length / 9;
    try (TensorBuilder b = TensorBuilder.create(DataType.DT_FLOAT, values.length)) {
      for (float v : values) {
        b.addDouble(v);
      }
      try (InputTensor x = b.build(new long[] {rows, 3, 3});
          RunResult r = SignatureRunner.run(bundle, bundle.signature("serving_default"), Map.of("x", x),
              List.of(), SignatureRunner.RunSettings.DEFAULT)) {
        OutputTensor y = r.outputs().get(0);
        assertEquals(rows, y.dim(0));
        for (int i = 0; i < values.length; i++) {
          assertEquals(0.5f * values[i] + 2f, y.getFloat(i), "element " + i);
        }
      }
    }
  }

  interface ClientRequest {
    void run(int client, Random rnd);
  }

  /** {@code clients} threads each send {@code requests} requests (seeded by client number); rethrows. */
  private static void runClients(int clients, int requests, ClientRequest request) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        int client = c;
        done.add(pool.submit(() -> {
          Random rnd = new Random(client);
          for (int i = 0; i < requests; i++) {
            request.run(client, rnd);
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
  }

  private static float[] random(Random rnd, int rows) {
    float[] v = new float[rows * 9];
    for (int i = 0; i < v.length; i++) {
      v[i] = rnd.nextInt(1000) - 500;
    }
    return v;
  }

  @Test
  void concurrentRequestsAreMergedAndSplitBackExactly() throws Exception {
    long before = HostBuffer.liveBytes();
    try (SavedModelBundle bundle = bundle(new BatchingSession.Settings(16, 20_000, 100, 1, new long[0]))) {
      runClients(8, 25, (client, rnd) -> runAndCheck(bundle, random(rnd, 1 + rnd.nextInt(3))));
      BatchingSession.Stats stats = bundle.batching().stats();
      assertEquals(200, stats.tasks());
      assertTrue(stats.batches() < stats.tasks(), "some requests must share a batch: " + stats);
      assertEquals(0, stats.paddingRows());
    }
    assertEquals(before, HostBuffer.liveBytes());
    assertEquals(0, NativeHandle.leakCount());
  }

  @Test
  void twoModelsShareOneBatchThreadThatOutlivesItsOwnersHandle() throws Exception {
    Path halfPlusTwo = MATRIX.getParent().getParent().resolve("saved_model_half_plus_two_cpu/00000123");
    BatchingSession.Settings settings = new BatchingSession.Settings(16, 20_000, 100, 1, new long[0]);
    BatchThreads shared = BatchThreads.start(1);
    try (SavedModelBundle matrix = SavedModelBundle.load(MATRIX, List.of("serve"), new byte[0])
            .withBatching(settings, shared);
        SavedModelBundle tiny = SavedModelBundle.load(halfPlusTwo, List.of("serve"), new byte[0])
            .withBatching(settings, shared)) {
      shared.close();  // each session holds its own reference: the thread keeps running their batches
      try (SavedModelBundle late = SavedModelBundle.load(MATRIX, List.of("serve"), new byte[0])) {
        assertThrows(IllegalStateException.class, () -> late.withBatching(settings, shared), "used after close");
      }
      runClients(8, 10, (client, rnd) -> {
        if (client % 2 == 0) {
          runAndCheck(matrix, random(rnd, 1 + rnd.nextInt(3)));
        } else {
          float v = rnd.nextInt(100);
          assertEquals(0.5f * v + 2f, run(tiny, new float[] {v})[0]);
        }
      });
      assertEquals(40, matrix.batching().stats().tasks());
      assertEquals(40, tiny.batching().stats().tasks());
      assertTrue(matrix.batching().stats().batches() < 40, "matrix requests share batches");
      assertTrue(tiny.batching().stats().batches() < 40, "half_plus_two requests share batches");
    }
    assertEquals(0, NativeHandle.leakCount());
  }

  @Test
  void puppetSchedulerFormsExactlyTheBatchesTheTestSteps() throws Exception {
    try (SavedModelBundle bundle = SavedModelBundle.load(MATRIX, List.of("serve"), new byte[0])
        .withManualBatching(new BatchingSession.Settings(4, 0, 10, 1, new long[0]))) {
      BatchingSession puppet = bundle.batching();
      ExecutorService clients = Executors.newFixedThreadPool(3);
      List<Future<?>> calls = new ArrayList<>();
      for (int rows : new int[] {1, 2, 3}) {
        calls.add(clients.submit(() -> runAndCheck(bundle, random(new Random(rows), rows))));
        while (puppet.pendingTasks() < calls.size()) {  // queued in this order: deterministic
          Thread.sleep(1);
        }
      }
      assertEquals(3, puppet.pendingTasks());
      assertEquals(2, puppet.processOneBatch(false), "1 + 2 rows, then 3 rows did not fit in 4");
      assertEquals(1, puppet.processOneBatch(true), "the under-full second batch only when forced");
      assertEquals(0, puppet.processOneBatch(true));
      for (Future<?> call : calls) {
        call.get();
      }
      clients.shutdown();
      assertEquals(2, puppet.stats().batches());
    }
  }

  @Test
  void batchesArePaddedToTheNextAllowedSize() {
    try (SavedModelBundle bundle = bundle(new BatchingSession.Settings(8, 0, 10, 1, new long[] {4, 8}))) {
      runAndCheck(bundle, random(new Random(1), 3));
      runAndCheck(bundle, random(new Random(2), 5));
      BatchingSession.Stats stats = bundle.batching().stats();
      assertEquals(2, stats.batches());
      assertEquals(1 + 3, stats.paddingRows(), "3 rows pad to 4, 5 rows pad to 8");
    }
  }

  @Test
  void fullQueueIsUnavailableFastAndTheTimeoutFlushesAnUnderfullBatch() throws Exception {
    try (SavedModelBundle bundle = bundle(new BatchingSession.Settings(4, 3_000_000, 1, 1, new long[0]))) {
      ExecutorService first = Executors.newSingleThreadExecutor();
      Future<?> waiting = first.submit(() -> runAndCheck(bundle, random(new Random(3), 3)));
      Thread.sleep(1000);  // the 3-row batch is open and waits for its 3 s timeout
      ServingException full = assertThrows(ServingException.class, () -> runAndCheck(bundle, random(new Random(4), 3)));
      assertEquals(StatusCode.UNAVAILABLE, full.code());
      assertTrue(full.getMessage().contains("queue"), full.getMessage());
      waiting.get();  // flushed by the timeout, not lost
      first.shutdown();
      ServingException tooBig = assertThrows(ServingException.class, () -> runAndCheck(bundle, random(new Random(5), 5)));
      assertEquals(StatusCode.INVALID_ARGUMENT, tooBig.code());
    }
  }

  @Test
  void largeRequestsAreSplitIntoExecutionSizedChunksAndJoinedBack() {
    long before = HostBuffer.liveBytes();
    try (SavedModelBundle bundle = bundle(new BatchingSession.Settings(4, 0, 10, 1, new long[0], true, 3, false))) {
      runAndCheck(bundle, random(new Random(6), 10));  // 10 rows in chunks of 3, 3, 3, 1
      BatchingSession.Stats stats = bundle.batching().stats();
      assertEquals(4, stats.tasks());
      assertEquals(10, stats.rows());
    }
    assertEquals(before, HostBuffer.liveBytes());
  }

  @Test
  void variableLengthInputsArePaddedToTheBatchsLargest() throws Exception {
    Path halfPlusTwo = MATRIX.getParent().getParent().resolve("saved_model_half_plus_two_cpu/00000123");
    try (SavedModelBundle bundle = SavedModelBundle.load(halfPlusTwo, List.of("serve"), new byte[0])
        .withBatching(new BatchingSession.Settings(8, 500_000, 10, 1, new long[0], false, 0, true), threads)) {
      ExecutorService clients = Executors.newFixedThreadPool(2);
      Future<float[]> shortRow = clients.submit(() -> run(bundle, new float[] {1, 2}));
      Future<float[]> longRow = clients.submit(() -> run(bundle, new float[] {1, 2, 3}));
      // One batch: the [1,2] request is zero-padded to [1,3] (0.5 * 0 + 2 = 2 in the padding).
      assertEquals(java.util.Arrays.toString(new float[] {2.5f, 3f, 2f}), java.util.Arrays.toString(shortRow.get()));
      assertEquals(java.util.Arrays.toString(new float[] {2.5f, 3f, 3.5f}), java.util.Arrays.toString(longRow.get()));
      clients.shutdown();
      assertEquals(1, bundle.batching().stats().batches());
    }
  }

  @Test
  void requestShapesBeyondTheQueueLimitRunUnbatchedAndCorrect() {
    Path halfPlusTwo = MATRIX.getParent().getParent().resolve("saved_model_half_plus_two_cpu/00000123");
    try (SavedModelBundle bundle = SavedModelBundle.load(halfPlusTwo, List.of("serve"), new byte[0])
        // a 1 us timeout so each call joins its queue: with 0 a lone call would run unmerged, queue-less
        .withBatching(new BatchingSession.Settings(8, 1, 10, 1, new long[0]), threads)) {
      for (int width = 1; width <= 300; width++) {  // every width is a new queue key
        float[] row = new float[width];
        java.util.Arrays.fill(row, width);
        float[] out = run(bundle, row);
        assertEquals(width, out.length);
        assertEquals(0.5f * width + 2f, out[width - 1]);
      }
      assertEquals(256, bundle.batching().stats().tasks(), "the first 256 shapes were batched, the rest ran directly");
    }
  }

  /** One [1, n] request to half_plus_two; returns its (possibly padded) output row. */
  private static float[] run(SavedModelBundle bundle, float[] row) {
    try (TensorBuilder b = TensorBuilder.create(DataType.DT_FLOAT, row.length)) {
      for (float v : row) {
        b.addDouble(v);
      }
      try (InputTensor x = b.build(new long[] {1, row.length});
          RunResult r = SignatureRunner.run(bundle, bundle.signature("serving_default"), Map.of("x", x),
              List.of(), SignatureRunner.RunSettings.DEFAULT)) {
        OutputTensor y = r.outputs().get(0);
        float[] out = new float[(int) y.elementCount()];
        for (int i = 0; i < out.length; i++) {
          out[i] = y.getFloat(i);
        }
        return out;
      }
    }
  }

  @Test
  void parametersFollowTfServingsRules() {
    BatchingOptions defaults = BatchingOptions.of(BatchingParameters.getDefaultInstance(), "defaults");
    assertEquals(1000, defaults.settings().maxBatchSize());
    assertEquals(10, defaults.settings().maxEnqueuedBatches());
    assertEquals(0, defaults.settings().batchTimeoutMicros());
    BatchingParameters bad = BatchingParameters.newBuilder()
        .setMaxBatchSize(com.google.protobuf.Int64Value.of(8)).addAllowedBatchSizes(2).addAllowedBatchSizes(4).build();
    assertTrue(assertThrows(ServingException.class, () -> BatchingOptions.of(bad, "x")).getMessage()
        .contains("Last entry in allowed_batch_sizes must match max_batch_size"));
    BatchingOptions split = BatchingOptions.of(BatchingParameters.newBuilder()
        .setMaxBatchSize(com.google.protobuf.Int64Value.of(8))
        .setEnableLargeBatchSplitting(com.google.protobuf.BoolValue.of(true)).build(), "split");
    assertTrue(split.settings().splitLargeRequests());
    assertEquals(8, split.settings().maxExecutionBatchSize(), "defaults to max_batch_size");
  }

  @Test
  void theLatencyTargetIsReadFromTextAndJsonAndMustBePositive(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Path text = java.nio.file.Files.writeString(dir.resolve("b.txt"),
        "max_batch_size { value: 16 }\ntarget_p99_latency_micros { value: 25000 }\n");
    java.nio.file.Path json = java.nio.file.Files.writeString(dir.resolve("b.json"),
        "{\"max_batch_size\": 16, \"target_p99_latency_micros\": 25000}");
    for (java.nio.file.Path file : List.of(text, json)) {
      BatchingOptions options = BatchingOptions.fromFile(file);
      assertEquals(25_000, options.settings().targetP99LatencyMicros(), file.toString());
      assertEquals(file, options.file());
    }
    assertEquals(0, BatchingOptions.of(BatchingParameters.getDefaultInstance(), BatchingOptions.DEFAULTS)
        .settings().targetP99LatencyMicros(), "static batching unless asked");
    BatchingParameters zero = BatchingParameters.newBuilder()
        .setTargetP99LatencyMicros(com.google.protobuf.Int64Value.of(0)).build();
    assertTrue(assertThrows(ServingException.class, () -> BatchingOptions.of(zero, "z")).getMessage()
        .contains("target_p99_latency_micros must be positive"));
  }

  @Test
  void anAdaptiveSessionReportsItsLimitsAndAcceptsReloadedSettings() throws Exception {
    BatchingSession.Settings adaptive = new BatchingSession.Settings(16, 0, 100, 1, new long[0], false, 0, false, 50_000);
    try (SavedModelBundle bundle = bundle(adaptive)) {
      runClients(4, 10, (client, rnd) -> runAndCheck(bundle, matrix(client + rnd.nextFloat())));
      BatchingSession.Limits limits = bundle.batching().limits();
      assertTrue(limits.adaptive());
      assertTrue(limits.batchSizeLimit() >= 1 && limits.batchSizeLimit() <= 16, limits.toString());
      assertTrue(limits.timeoutMicros() >= 0 && limits.timeoutMicros() <= 25_000, limits.toString());
      assertTrue(bundle.batching().update(new BatchingSession.Settings(4, 700, 100, 1, new long[0])));
      assertEquals(new BatchingSession.Limits(700, 4, false, true, 0, 0, limits.markedChanges()),
          bundle.batching().limits(), "static again: the configured limits");
      runClients(2, 5, (client, rnd) -> runAndCheck(bundle, matrix(client)));
      bundle.batching().close();
      assertEquals(null, bundle.batching().limits(), "closed: no limits, no crash");
      assertTrue(!bundle.batching().update(adaptive));
    }
  }

  /** One 3x3 matrix of values from {@code base}. */
  private static float[] matrix(float base) {
    float[] values = new float[9];
    for (int i = 0; i < 9; i++) {
      values[i] = base + i;
    }
    return values;
  }
}
