package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.framework.DataType;
import org.tensorflow.framework.TensorProto;
import org.tensorflow.framework.TensorShapeProto;
import tensorflow.serving.Model.ModelSpec;
import tensorflow.serving.Predict.PredictRequest;
import tensorflow.serving.PredictionServiceGrpc.PredictionServiceBlockingStub;
import tensorflow.serving.PredictionServiceGrpc;

/**
 * Requests built to exhaust the server — tiny protos asking for huge tensors, undeclared inputs,
 * string fills, gzip bombs, huge metadata, many calls on one connection, floods of malformed
 * requests — are refused as client errors (INVALID_ARGUMENT / RESOURCE_EXHAUSTED, REST 400),
 * quickly, with bounded memory and bounded log. Codes and messages on an in-JVM {@link TestServer};
 * memory (peak RSS) and log bytes on a {@link ServerProcess} limited to {@code -XX:MaxRAM=2g}.
 */
class GrpcHardeningIT {
  private static final String MODEL = TestServer.shared("testdata/saved_model_half_plus_two_cpu").toString();
  private static final long MIB = 1 << 20;
  private static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start("default", TestServer.shared("testdata/saved_model_half_plus_two_cpu"));
  }

  /** A stub with a fresh 60 s deadline (one made at start-up expires while the slow tests run). */
  private static PredictionServiceBlockingStub stub() {
    return PredictionServiceGrpc.newBlockingStub(server.channel()).withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  static TensorProto.Builder tensor(DataType dtype, long... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (long d : dims) {
      shape.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
    }
    return TensorProto.newBuilder().setDtype(dtype).setTensorShape(shape);
  }

  static PredictRequest predict(String signature, String alias, TensorProto t) {
    return PredictRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName("default")
        .setSignatureName(signature)).putInputs(alias, t).build();
  }

  static PredictRequest x(TensorProto t) {
    return predict("", "x", t);
  }

  private static Status refused(PredictionServiceBlockingStub s, PredictRequest r) {
    return assertThrows(StatusRuntimeException.class, () -> s.predict(r)).getStatus();
  }

  private static long[] ones(int rank) {
    long[] dims = new long[rank];
    Arrays.fill(dims, 1);
    return dims;
  }

  /**
   * Fuzz cases 8, 64 (seed 20261201): bytes that do not parse as a PredictRequest used to end in
   * UNKNOWN "Application error processing RPC"; now grpc-java's (and TF Serving's) INTERNAL.
   */
  @Test
  void anUnparseableRequestIsInternalInvalidProtobufNotUnknown() {
    MethodDescriptor.Marshaller<byte[]> raw = new MethodDescriptor.Marshaller<>() {
      @Override
      public InputStream stream(byte[] value) {
        return new ByteArrayInputStream(value);
      }

      @Override
      public byte[] parse(InputStream stream) {
        return new byte[0];
      }
    };
    MethodDescriptor<byte[], byte[]> predict = MethodDescriptor.newBuilder(raw, raw)
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName("tensorflow.serving.PredictionService/Predict").build();
    byte[][] bad = {{0x0f, 1, 2}, {0x0a, 0x2d, 0x0a, 0x01}};  // bad wire type; length past end
    for (byte[] message : bad) {
      for (CallOptions options : List.of(CallOptions.DEFAULT, CallOptions.DEFAULT.withCompression("gzip"))) {
        Status s = assertThrows(StatusRuntimeException.class, () -> ClientCalls.blockingUnaryCall(
            server.channel(), predict, options.withDeadlineAfter(30, TimeUnit.SECONDS), message)).getStatus();
        assertEquals(Status.Code.INTERNAL, s.getCode(), String.valueOf(s));
        assertEquals("Invalid protobuf byte sequence", s.getDescription());
      }
    }
    assertEquals(4.5f, stub().predict(x(tensor(DataType.DT_FLOAT, 1).addFloatVal(5).build()))
        .getOutputsOrThrow("y").getFloatVal(0));  // the server still serves
  }

  @Test
  void fillBombIsRefusedQuickly() {
    long started = System.nanoTime();
    Status s = refused(stub(), x(tensor(DataType.DT_FLOAT, 1L << 27).addFloatVal(1).build()));
    long millis = (System.nanoTime() - started) / 1_000_000;
    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode(), s.toString());
    assertTrue(s.getDescription().contains("more than the 1048576 bytes a filled tensor may hold"), s.getDescription());
    assertTrue(millis < 2000, "refused in " + millis + " ms");
    // TF's quirk still works inside the bound: three elements from one value.
    assertEquals(List.of(2.5f, 2.5f, 2.5f), stub().predict(x(tensor(DataType.DT_FLOAT, 3).addFloatVal(1).build()))
        .getOutputsOrThrow("y").getFloatValList());
  }

  @Test
  void shapeBombsAreInvalidArgument() {
    Status overflow = refused(stub(), x(tensor(DataType.DT_FLOAT, 1L << 62, 1L << 62).addFloatVal(1).build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, overflow.getCode());
    // TF's TensorShape::IsValid refuses it: TF Serving's GetInputValues "tensor parsing error"
    assertEquals("tensor parsing error: x", overflow.getDescription());
    for (long[] dims : new long[][] {{1L << 31}, {1L << 20, 1L << 20}}) {
      Status s = refused(stub(), x(tensor(DataType.DT_FLOAT, dims).build()));
      assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode(), Arrays.toString(dims) + ": " + s);
    }
    Status rank = refused(stub(), x(tensor(DataType.DT_FLOAT, ones(300)).addFloatVal(1).build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, rank.getCode());
    assertEquals("tensor parsing error: x", rank.getDescription());
    Status dtype = refused(stub(), x(tensor(DataType.DT_DOUBLE, 1).addDoubleVal(1).build()));
    assertEquals("Expects input x to be float but double is provided", dtype.getDescription());
  }

  @Test
  void undeclaredInputsAreRefusedBeforeDecoding() {
    PredictRequest.Builder r = PredictRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName("default"));
    for (String name : List.of("a", "b", "c")) {
      r.putInputs(name, tensor(DataType.DT_FLOAT, 1L << 27).build());
    }
    long started = System.nanoTime();
    Status s = refused(stub(), r.build());
    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode());
    assertTrue(s.getDescription().startsWith("input size does not match signature: 3!=1"), s.getDescription());
    assertTrue(System.nanoTime() - started < 2_000_000_000L);
  }

  @Test
  void stringFillBombIsAClientErrorWithinSeconds() {
    long started = System.nanoTime();
    Status s = refused(stub(), predict("classify_x_to_y", "inputs", tensor(DataType.DT_STRING, 1L << 28)
        .addStringVal(ByteString.copyFromUtf8("tf.Example")).build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode(), s.toString());
    assertTrue(System.nanoTime() - started < 3_000_000_000L);
  }

  @Test
  void restShapeBombsAre400() throws Exception {
    for (int depth : new int[] {300, 100_000}) {
      String nested = "[".repeat(depth) + "1" + "]".repeat(depth);
      for (String body : List.of("{\"instances\": " + nested + "}", "{\"inputs\": " + nested + "}",
          "{\"inputs\": {\"x\": " + nested + "}}")) {
        HttpResponse<String> r = server.post("/v1/models/default:predict", body);
        assertEquals(400, r.statusCode(), depth + ": " + r.body().substring(0, Math.min(300, r.body().length())));
        assertTrue(r.body().contains("nested deeper than the maximum tensor rank 254"), r.body());
      }
    }
    HttpResponse<String> unknown = server.post("/v1/models/default:predict",
        "{\"instances\": [{\"a\": [1], \"b\": [2], \"c\": [3]}]}");
    assertEquals(400, unknown.statusCode(), unknown.body());
    assertEquals(200, server.post("/v1/models/default:predict", "{\"instances\": [1.0]}").statusCode());
  }

  /** Memory and log of a separate 2 GiB process under every bomb above, and the transport ones. */
  @Test
  void boundedMemoryAndLogInAProcess() throws Exception {
    try (ServerProcess p = ServerProcess.start("-XX:MaxRAM=2g", "/v1/models/default",
        "--model_name=default", "--model_base_path=" + MODEL, "--max_inflight_request_bytes=" + (64 * MIB))) {
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", p.grpcPort()).usePlaintext()
          .maxInboundMessageSize(64 << 20).build();
      try {
        PredictionServiceBlockingStub s = PredictionServiceGrpc.newBlockingStub(channel)
            .withDeadlineAfter(120, TimeUnit.SECONDS);
        Hardening.undeclaredInputs(p, s);
        Hardening.gzipBomb(p, s, 200 * MIB);
        Hardening.hugeMetadata(p, s);
        Hardening.manyCallsOnOneConnection(p, channel);
        Hardening.restDomBomb(p);
        Hardening.malformedFlood(p, s);
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * The gzip bomb against the default budget: half the 512 MiB heap -XX:MaxRAM=2g gives, so the
   * 400 MiB message is refused after 256 MiB (unbounded, it would need its 400 MiB on the heap
   * and again in the tensor).
   */
  @Test
  void gzipBombWithTheDefaultBudget() throws Exception {
    try (ServerProcess p = ServerProcess.start("-XX:MaxRAM=2g", "/v1/models/default",
        "--model_name=default", "--model_base_path=" + MODEL)) {
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", p.grpcPort()).usePlaintext().build();
      try {
        Hardening.gzipBomb(p, PredictionServiceGrpc.newBlockingStub(channel).withDeadlineAfter(120, TimeUnit.SECONDS),
            480 * MIB);
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }
}
