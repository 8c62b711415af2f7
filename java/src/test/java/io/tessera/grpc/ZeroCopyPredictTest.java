package io.tessera.grpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.ForwardingServerCallListener;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.tessera.admission.MemoryBudget;
import io.tessera.core.ServableId;
import io.tessera.core.VersionStatus;
import io.tessera.metrics.ServingMetrics;
import io.tessera.nativebridge.HostBuffer;
import io.tessera.proto.serving.ModelSpec;
import io.tessera.proto.serving.PredictRequest;
import io.tessera.proto.serving.PredictResponse;
import io.tessera.proto.serving.PredictionServiceGrpc;
import io.tessera.proto.tf.SignatureDef;
import io.tessera.proto.tf.TensorProto;
import io.tessera.proto.tf.TensorShapeProto;
import io.tessera.servables.RunResult;
import io.tessera.servables.Servable;
import io.tessera.servables.Signature;
import io.tessera.servables.SignatureRunner;
import io.tessera.servables.TensorSpec;
import io.tessera.serving.ModelRef;
import io.tessera.serving.ModelVersions;
import io.tessera.serving.Pipeline;
import io.tessera.serving.ResolvedVersion;
import io.tessera.serving.ServedModel;
import io.tessera.tensor.DataType;
import io.tessera.tensor.InputTensor;
import io.tessera.tensor.OutputTensor;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The zero-copy Predict over a real grpc-java Netty server and client (a servable without
 * TensorFlow whose outputs count their frees): the bytes TensorFlow would be fed, the response,
 * and every request's data and outputs freed exactly once when the client cancels during the run,
 * before the service ran, and while the response is still queued in the transport. Netty's
 * paranoid leak detection must stay silent.
 */
class ZeroCopyPredictTest {
  private static final int INPUT_FLOATS = 224 * 224 * 3;

  private final AtomicInteger freed = new AtomicInteger();
  private final AtomicInteger runs = new AtomicInteger();
  private final AtomicInteger held = new AtomicInteger();
  private final AtomicReference<ByteBuffer> fed = new AtomicReference<>();
  private final List<String> leaks = new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile int outputFloats = 1001;
  private volatile CountDownLatch running = new CountDownLatch(1);
  private volatile boolean waitForCancel;
  private volatile boolean holdHalfClose;
  private Server server;
  private ManagedChannel channel;
  private ExecutorService workers;
  private long liveBefore;
  private final Handler leakWatch = new Handler() {
    @Override
    public void publish(LogRecord r) {
      if (r.getMessage() != null && r.getMessage().contains("LEAK")) {
        leaks.add(r.getMessage());
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  @BeforeEach
  void start() throws Exception {
    Logger.getLogger("io.netty").addHandler(leakWatch);
    liveBefore = HostBuffer.liveBytes();
    workers = Executors.newFixedThreadPool(2);
    RequestBudget budget = new RequestBudget();
    Pipeline pipeline = new Pipeline(new Versions(), new ServingMetrics(), false);
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .executor(workers)
        .intercept(new ServerInterceptor() {
          @Override
          public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
              ServerCallHandler<Q, R> next) {
            return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
              @Override
              public void onHalfClose() {
                if (!holdHalfClose) {
                  super.onHalfClose();
                }
              }
            };
          }
        })
        .intercept(budget)  // last added: runs first, as in GrpcServer
        .addStreamTracerFactory(budget)
        .maxInboundMessageSize(Integer.MAX_VALUE)
        .addService(budget.counting(new PredictionServiceImpl(pipeline, false).definition()))
        .build().start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext()
        .maxInboundMessageSize(Integer.MAX_VALUE).build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    workers.shutdownNow();
    for (int i = 0; i < 3; i++) {
      System.gc();
      byte[][] churn = new byte[64][];
      for (int k = 0; k < churn.length; k++) {
        churn[k] = new byte[1 << 16];
      }
    }
    Logger.getLogger("io.netty").removeHandler(leakWatch);
    assertEquals(List.of(), leaks, "Netty leak reports");
    assertEquals(0, held.get(), "every version hold released");
    assertEquals(liveBefore, HostBuffer.liveBytes(), "every host buffer freed");
    assertEquals(0, MemoryBudget.process().used(), "every reservation returned");
  }

  @Test
  void feedsTheSentBytesAndAnswersAsTheGeneratedCode() {
    ByteString content = floats(INPUT_FLOATS);
    PredictResponse response = PredictionServiceGrpc.newBlockingStub(channel).predict(request(content));
    assertEquals(content.asReadOnlyByteBuffer(), fed.get().order(ByteOrder.BIG_ENDIAN), "fed bytes");
    TensorProto y = response.getOutputsOrThrow("y");
    assertEquals(outputFloats, y.getFloatValCount());
    assertEquals(0.5f, y.getFloatVal(1));
    assertEquals("m", response.getModelSpec().getName());
    assertEquals(1, freed.get());
  }

  @Test
  void cancelledDuringTheRunFreesTheOutputsOnce() throws Exception {
    waitForCancel = true;
    outputFloats = 2 << 20;
    Context.CancellableContext context = Context.current().withCancellation();
    CountDownLatch closed = new CountDownLatch(1);
    context.run(() -> PredictionServiceGrpc.newStub(channel).predict(request(floats(INPUT_FLOATS)),
        new io.grpc.stub.StreamObserver<>() {
          @Override
          public void onNext(PredictResponse value) {}

          @Override
          public void onError(Throwable t) {
            closed.countDown();
          }

          @Override
          public void onCompleted() {
            closed.countDown();
          }
        }));
    assertTrue(running.await(10, TimeUnit.SECONDS));
    context.cancel(null);
    assertTrue(closed.await(10, TimeUnit.SECONDS));
    eventually(() -> freed.get() == 1);
    Thread.sleep(200);
    assertEquals(1, freed.get(), "freed once");
  }

  @Test
  void cancelledBeforeTheServiceRanFreesTheRequestData() throws Exception {
    holdHalfClose = true;  // the request is parsed and delivered, but the service never starts
    ClientCall<PredictRequest, PredictResponse> call = channel.newCall(PredictionServiceGrpc.getPredictMethod(),
        CallOptions.DEFAULT);
    call.start(new ClientCall.Listener<>() {}, new Metadata());
    call.request(1);
    call.sendMessage(request(floats(INPUT_FLOATS)));
    call.halfClose();
    eventually(() -> HostBuffer.liveBytes() >= liveBefore + INPUT_FLOATS * 4L);
    call.cancel("client gave up", null);
    eventually(() -> HostBuffer.liveBytes() == liveBefore && MemoryBudget.process().used() == 0);
    assertEquals(0, runs.get());
  }

  @Test
  void cancelledWhileTheResponseIsQueuedFreesTheOutputsOnce() throws Exception {
    outputFloats = 8 << 20;  // 32 MB: far beyond the client's flow-control window
    CountDownLatch headers = new CountDownLatch(1);
    AtomicReference<Status> status = new AtomicReference<>();
    ClientCall<PredictRequest, PredictResponse> call = channel.newCall(PredictionServiceGrpc.getPredictMethod(),
        CallOptions.DEFAULT);
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onHeaders(Metadata h) {
        headers.countDown();
      }

      @Override
      public void onClose(Status s, Metadata trailers) {
        status.set(s);
      }
    }, new Metadata());
    call.sendMessage(request(floats(INPUT_FLOATS)));
    call.halfClose();  // and never request the message: the response stays in the transport
    assertTrue(headers.await(10, TimeUnit.SECONDS));
    eventually(() -> freed.get() == 1);  // the framer has its copy: the outputs went right away
    call.cancel("client gave up mid-response", null);
    eventually(() -> status.get() != null);
    assertEquals(Status.Code.CANCELLED, status.get().getCode());
    Thread.sleep(200);
    assertEquals(1, freed.get(), "freed once");
  }

  private static void eventually(BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < end, "timed out");
      Thread.sleep(10);
    }
  }

  private static ByteString floats(int n) {
    ByteBuffer b = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      b.putFloat(i / 7f);
    }
    return ByteString.copyFrom(b.array());
  }

  private static PredictRequest request(ByteString content) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (long d : new long[] {1, 224, 224, 3}) {
      shape.addDimBuilder().setSize(d);
    }
    return PredictRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName("m"))
        .putInputs("x", TensorProto.newBuilder().setDtype(io.tessera.proto.tf.DataType.DT_FLOAT)
            .setTensorShape(shape).setTensorContent(content).build())
        .build();
  }

  /** "m" version 1: one signature x (float) to y (float), run by {@link #run}. */
  private final class Versions implements ModelVersions, Servable {
    private final Map<String, Signature> signatures = Map.of(Signature.DEFAULT_KEY, new Signature(
        Signature.DEFAULT_KEY, SignatureDef.newBuilder().setMethodName("tensorflow/serving/predict").build(),
        Map.of("x", new TensorSpec("x", "x:0", DataType.DT_FLOAT.number(), 0)),
        Map.of("y", new TensorSpec("y", "y:0", DataType.DT_FLOAT.number(), 1))));

    @Override
    public ResolvedVersion acquire(ModelRef ref) {
      held.incrementAndGet();
      return new ResolvedVersion(new ServableId("m", 1), new ServedModel(this, Optional.empty(), null),
          held::decrementAndGet);
    }

    @Override
    public List<VersionStatus> status(String name, Long version) {
      return List.of();
    }

    @Override
    public Map<String, Signature> signatures() {
      return signatures;
    }

    @Override
    public RunResult run(Signature signature, Map<String, InputTensor> inputs, Collection<String> outputFilter,
        SignatureRunner.RunSettings settings) {
      runs.incrementAndGet();
      ByteBuffer copy = ByteBuffer.allocate((int) inputs.get("x").byteSize());
      copy.put(inputs.get("x").denseData()).flip();
      fed.set(copy);
      running.countDown();
      if (waitForCancel) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Context.current().isCancelled() && System.nanoTime() < end) {
          Thread.onSpinWait();
        }
      }
      ByteBuffer data = ByteBuffer.allocateDirect(outputFloats * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < outputFloats; i++) {
        data.putFloat(i * 4, (i % 3) / 2f);
      }
      return new RunResult(List.of(new OutputTensor("y", DataType.DT_FLOAT, new long[] {1, outputFloats}, data,
          null, 0)), 1000, null, freed::incrementAndGet);
    }
  }
}
