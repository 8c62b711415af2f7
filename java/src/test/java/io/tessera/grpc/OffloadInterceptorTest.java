package io.tessera.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.tessera.proto.serving.ModelServiceGrpc;
import io.tessera.proto.serving.ModelSpec;
import io.tessera.proto.serving.PredictRequest;
import io.tessera.proto.serving.PredictResponse;
import io.tessera.proto.serving.PredictionServiceGrpc;
import io.tessera.proto.serving.ReloadConfigRequest;
import io.tessera.proto.serving.ReloadConfigResponse;
import io.tessera.proto.serving.StatusProto;
import io.tessera.transport.InlineRuns;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The interceptor over a real grpc-netty server with directExecutor, as GrpcServer builds it: where
 * each call runs, that it keeps the call's deadline, and that a failing handler still answers.
 */
class OffloadInterceptorTest {
  private final ExecutorService workers = Executors.newFixedThreadPool(2, r -> new Thread(r, "test-worker"));
  private Server server;
  private ManagedChannel channel;

  /** Answers with "thread-name|deadline?" in the model spec's name; "fail" throws, "slow" takes 200 ms. */
  private static final class Probe extends PredictionServiceGrpc.PredictionServiceImplBase {
    @Override
    public void predict(PredictRequest request, StreamObserver<PredictResponse> observer) {
      if (request.getModelSpec().getName().equals("fail")) {
        throw new IllegalStateException("probe failure");
      }
      if (request.getModelSpec().getName().equals("slow")) {
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      String where = Thread.currentThread().getName() + "|" + (Context.current().getDeadline() != null);
      observer.onNext(PredictResponse.newBuilder().setModelSpec(ModelSpec.newBuilder().setName(where)).build());
      observer.onCompleted();
    }
  }

  /** Answers a config reload with the name of the thread that handled it. */
  private static final class ReloadProbe extends ModelServiceGrpc.ModelServiceImplBase {
    @Override
    public void handleReloadConfigRequest(ReloadConfigRequest request, StreamObserver<ReloadConfigResponse> observer) {
      observer.onNext(ReloadConfigResponse.newBuilder()
          .setStatus(StatusProto.newBuilder().setErrorMessage(Thread.currentThread().getName())).build());
      observer.onCompleted();
    }
  }

  private PredictionServiceGrpc.PredictionServiceBlockingStub start(long inlineMaxMicros) throws Exception {
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .directExecutor()
        .intercept(new OffloadInterceptor(workers, new InlineRuns(inlineMaxMicros)))
        .addService(new Probe())
        .addService(new ReloadProbe())
        .build().start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    return PredictionServiceGrpc.newBlockingStub(channel);
  }

  private static String call(PredictionServiceGrpc.PredictionServiceBlockingStub stub, String model) {
    return stub.withDeadlineAfter(10, TimeUnit.SECONDS)
        .predict(PredictRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName(model)).build())
        .getModelSpec().getName();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    workers.shutdownNow();
  }

  @Test
  void withInliningOffEveryCallRunsOnAWorkerWithItsDeadline() throws Exception {
    PredictionServiceGrpc.PredictionServiceBlockingStub stub = start(0);
    for (int i = 0; i < 3; i++) {
      assertEquals("test-worker|true", call(stub, "m"));
    }
  }

  @Test
  void aMethodMeasuredAsCheapRunsOnTheTransportThreadWithItsDeadline() throws Exception {
    PredictionServiceGrpc.PredictionServiceBlockingStub stub = start(10_000_000);
    assertEquals("test-worker|true", call(stub, "m"), "unmeasured: offloaded first");
    String inline = call(stub, "m");
    assertTrue(!inline.startsWith("test-worker") && inline.endsWith("|true"), inline);
  }

  @Test
  void eachModelIsMeasuredApartSoASlowOneStaysOnTheWorkers() throws Exception {
    PredictionServiceGrpc.PredictionServiceBlockingStub stub = start(50_000);  // 50 ms
    call(stub, "slow");
    call(stub, "fast");
    assertEquals("test-worker|true", call(stub, "slow"), "200 ms per call: never inline");
    String fast = call(stub, "fast");
    assertTrue(!fast.startsWith("test-worker"), "a cheap model on the same method runs inline: " + fast);
    assertEquals("test-worker|true", call(stub, "slow"));
  }

  @Test
  void configReloadsNeverTakeAWorkerEvenWithInliningOff() throws Exception {
    start(0);
    ModelServiceGrpc.ModelServiceBlockingStub models = ModelServiceGrpc.newBlockingStub(channel);
    for (int i = 0; i < 4; i++) {
      String thread = models.handleReloadConfigRequest(ReloadConfigRequest.getDefaultInstance())
          .getStatus().getErrorMessage();
      assertTrue(!thread.startsWith("test-worker"), "the reload handler hands off itself: " + thread);
    }
  }

  @Test
  void aHandlerThatThrowsOnAWorkerStillAnswersTheCall() throws Exception {
    PredictionServiceGrpc.PredictionServiceBlockingStub stub = start(0);
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> call(stub, "fail"));
    assertTrue(e.getStatus().getCode() == Status.Code.INTERNAL || e.getStatus().getCode() == Status.Code.UNKNOWN,
        e.getStatus().toString());
    assertEquals("test-worker|true", call(stub, "m"), "the server still serves");
  }
}
