package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.UnsafeByteOperations;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.tensorflow.framework.DataType;
import org.tensorflow.framework.TensorProto;
import tensorflow.serving.Model.ModelSpec;
import tensorflow.serving.Predict.PredictRequest;
import tensorflow.serving.Predict.PredictResponse;
import tensorflow.serving.PredictionServiceGrpc.PredictionServiceBlockingStub;
import tensorflow.serving.PredictionServiceGrpc;

/**
 * The scenarios {@link GrpcHardeningIT} runs against a {@link ServerProcess}, each measuring the
 * process's peak RSS growth (VmHWM after a reset, minus VmRSS before) or its log bytes, and
 * printing the figure.
 */
final class Hardening {
  private static final long MIB = 1 << 20;

  private Hardening() {}

  private static long startMeasuring(ServerProcess p) throws Exception {
    p.resetPeakRss();
    return p.rssBytes();
  }

  private static long growthMib(ServerProcess p, long before, String what) throws Exception {
    long mib = (p.peakRssBytes() - before) / MIB;
    System.out.println("[GrpcHardeningIT] " + what + ": peak RSS growth " + mib + " MiB (RSS before "
        + before / MIB + " MiB)");
    return mib;
  }

  private static Status refused(PredictionServiceBlockingStub s, PredictRequest r) {
    return assertThrows(StatusRuntimeException.class, () -> s.predict(r)).getStatus();
  }

  private static void healthy(PredictionServiceBlockingStub s) {
    assertEquals(2.5f, s.predict(GrpcHardeningIT.x(HalfPlusTwoIT.floats(1f))).getOutputsOrThrow("y").getFloatVal(0));
  }

  /** Three undeclared inputs of 2^27 elements each (no values), five times. */
  static void undeclaredInputs(ServerProcess p, PredictionServiceBlockingStub s) throws Exception {
    PredictRequest.Builder r = PredictRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName("default"));
    for (String name : List.of("a", "b", "c")) {
      r.putInputs(name, GrpcHardeningIT.tensor(DataType.DT_FLOAT, 1L << 27).build());
    }
    long before = startMeasuring(p);
    for (int i = 0; i < 5; i++) {
      assertEquals(Status.Code.INVALID_ARGUMENT, refused(s, r.build()).getCode());
    }
    assertTrue(growthMib(p, before, "3 undeclared [2^27] inputs x5") < 64);
  }

  /** 400 MiB of zeros, gzip-compressed by the client to about 400 KB; RSS growth under {@code budgetBound}. */
  static void gzipBomb(ServerProcess p, PredictionServiceBlockingStub s, long budgetBound) throws Exception {
    int bytes = 400 << 20;
    PredictRequest bomb = GrpcHardeningIT.x(GrpcHardeningIT.tensor(DataType.DT_FLOAT, bytes / 4)
        .setTensorContent(UnsafeByteOperations.unsafeWrap(new byte[bytes])).build());
    long before = startMeasuring(p);
    long started = System.nanoTime();
    Status status = refused(s.withCompression("gzip"), bomb);
    long millis = (System.nanoTime() - started) / 1_000_000;
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, status.getCode(), status.toString());
    assertTrue(status.getDescription().contains("--max_inflight_request_bytes"), status.getDescription());
    long mib = growthMib(p, before, "gzip bomb of 400 MiB (" + millis + " ms)");
    assertTrue(mib < budgetBound / MIB, mib + " MiB");
    healthy(s);
  }

  /** 16 MB of metadata (and 100 KB, over the 64 KiB default) is refused; the server stays up. */
  static void hugeMetadata(ServerProcess p, PredictionServiceBlockingStub s) throws Exception {
    long before = startMeasuring(p);
    for (int bytes : new int[] {16 << 20, 100 << 10}) {
      Metadata m = new Metadata();
      char[] value = new char[bytes];
      Arrays.fill(value, 'a');
      m.put(Metadata.Key.of("x-big", Metadata.ASCII_STRING_MARSHALLER), new String(value));
      Status status = refused(s.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(m)),
          GrpcHardeningIT.x(HalfPlusTwoIT.floats(1f)));
      System.out.println("[GrpcHardeningIT] " + bytes + " bytes of metadata: " + status);
      assertNotEquals(Status.Code.OK, status.getCode());
      // The server advertises --grpc_max_metadata_bytes (SETTINGS_MAX_HEADER_LIST_SIZE); a stock
      // client honours it and fails the call before sending.
      assertTrue(String.valueOf(status.getCause()).contains("(65536)"), status.toString());
    }
    growthMib(p, before, "16 MB + 100 KB metadata");
    healthy(s);
  }

  /** 500 concurrent calls of 4 MB each on one connection. */
  static void manyCallsOnOneConnection(ServerProcess p, ManagedChannel channel) throws Exception {
    float[] values = new float[1_000_000];
    PredictRequest request = GrpcHardeningIT.x(HalfPlusTwoIT.floats(values));
    int calls = 500;
    CountDownLatch done = new CountDownLatch(calls);
    Map<Status.Code, AtomicInteger> codes = new ConcurrentHashMap<>();
    int logBefore = p.output().length();
    long before = startMeasuring(p);
    PredictionServiceGrpc.PredictionServiceStub async = PredictionServiceGrpc.newStub(channel)
        .withDeadlineAfter(120, TimeUnit.SECONDS);
    for (int i = 0; i < calls; i++) {
      async.predict(request, new StreamObserver<>() {
        @Override
        public void onNext(PredictResponse value) {}

        @Override
        public void onError(Throwable t) {
          codes.computeIfAbsent(Status.fromThrowable(t).getCode(), c -> new AtomicInteger()).incrementAndGet();
          done.countDown();
        }

        @Override
        public void onCompleted() {
          codes.computeIfAbsent(Status.Code.OK, c -> new AtomicInteger()).incrementAndGet();
          done.countDown();
        }
      });
    }
    assertTrue(done.await(150, TimeUnit.SECONDS), "calls did not complete");
    long mib = growthMib(p, before, calls + " concurrent 4 MB calls on one connection " + codes);
    String log = p.output().substring(logBefore);
    System.out.println("[GrpcHardeningIT] ... and wrote " + log.length() + " bytes of log");
    assertFalse(log.contains("\tat "), "a stack trace was logged");
    assertTrue(codes.containsKey(Status.Code.OK), codes.toString());
    assertEquals(calls, codes.getOrDefault(Status.Code.OK, new AtomicInteger()).get()
        + codes.getOrDefault(Status.Code.RESOURCE_EXHAUSTED, new AtomicInteger()).get(), codes.toString());
    assertTrue(mib < 1200, mib + " MiB");
  }

  /**
   * A 16 MB REST body whose last value is bad: the exact path would build a DOM of 8M values
   * (about 512 MB of heap); refused by the budget instead, with a 4xx.
   */
  static void restDomBomb(ServerProcess p) throws Exception {
    String body = "{\"instances\": [" + "0,".repeat(8 << 20) + "\"x\"]}";
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    long before = startMeasuring(p);
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(p.restBase() + "/v1/models/default:predict"))
        .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    long mib = growthMib(p, before, "16 MB REST body down the exact path -> " + r.statusCode());
    assertEquals(429, r.statusCode(), r.body());
    assertTrue(mib < 400, mib + " MiB");
  }

  /** 2000 small malformed requests of five kinds: a bounded log, no stack trace. */
  static void malformedFlood(ServerProcess p, PredictionServiceBlockingStub s) throws Exception {
    long[] rank300 = new long[300];
    Arrays.fill(rank300, 1);
    List<PredictRequest> bad = List.of(
        GrpcHardeningIT.x(GrpcHardeningIT.tensor(DataType.DT_FLOAT, 1L << 62, 1L << 62).build()),
        GrpcHardeningIT.x(GrpcHardeningIT.tensor(DataType.DT_FLOAT, 1L << 31).build()),
        GrpcHardeningIT.x(GrpcHardeningIT.tensor(DataType.DT_FLOAT, 1L << 40).build()),
        GrpcHardeningIT.x(GrpcHardeningIT.tensor(DataType.DT_FLOAT, rank300).build()),
        GrpcHardeningIT.predict("", "nope", TensorProto.newBuilder().setDtype(DataType.DT_FLOAT).build()));
    long logBefore = p.outputBytes();
    String outBefore = p.output();
    long started = System.nanoTime();
    for (int i = 0; i < 2000; i++) {
      assertEquals(Status.Code.INVALID_ARGUMENT, refused(s, bad.get(i % bad.size())).getCode());
    }
    long millis = (System.nanoTime() - started) / 1_000_000;
    long written = p.outputBytes() - logBefore;
    String added = p.output().substring(outBefore.length());
    System.out.println("[GrpcHardeningIT] 2000 malformed requests in " + millis + " ms wrote " + written
        + " bytes of log");
    assertTrue(written < 50_000, written + " bytes: " + added.substring(0, Math.min(2000, added.length())));
    assertFalse(added.contains("\tat "), "a stack trace was logged");
  }
}
