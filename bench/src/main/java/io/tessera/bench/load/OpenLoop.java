package io.tessera.bench.load;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.tessera.proto.serving.ModelSpec;
import io.tessera.proto.serving.PredictRequest;
import io.tessera.proto.serving.PredictResponse;
import io.tessera.proto.serving.PredictionServiceGrpc;
import io.tessera.proto.tf.DataType;
import io.tessera.proto.tf.TensorProto;
import io.tessera.proto.tf.TensorShapeProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * An open-loop gRPC Predict load (issue 21's bench): requests are sent at a constant rate
 * whatever the answers do, and each latency counts from the request's scheduled send time (so a
 * stalled server is not hidden by a client that waits: no coordinated omission). Usage:
 * host:port model input-alias kind(matmul|mobilenet) rate_per_second seconds warmup_seconds.
 * Prints "offered achieved_rps p50_ms p99_ms errors" for the measured window (warmup excluded).
 * At most MAX_OUTSTANDING requests are in flight; a send beyond that counts as an error.
 */
public final class OpenLoop {
  private static final int MAX_OUTSTANDING = 4096;

  public static void main(String[] args) throws Exception {
    String[] target = args[0].split(":");
    PredictRequest request = request(args[1], args[2], args[3]);
    double rate = Double.parseDouble(args[4]);
    double seconds = Double.parseDouble(args[5]);
    double warmup = Double.parseDouble(args[6]);
    ManagedChannel channel = NettyChannelBuilder.forAddress(target[0], Integer.parseInt(target[1])).usePlaintext()
        .maxInboundMessageSize(256 << 20).build();
    PredictionServiceGrpc.PredictionServiceFutureStub stub = PredictionServiceGrpc.newFutureStub(channel);
    int total = (int) Math.ceil(rate * (warmup + seconds));
    int firstMeasured = (int) Math.ceil(rate * warmup);
    long[] latencies = new long[total];
    Arrays.fill(latencies, -1);
    AtomicLong errors = new AtomicLong();
    AtomicInteger finished = new AtomicInteger();
    CountDownLatch all = new CountDownLatch(total);
    Semaphore outstanding = new Semaphore(MAX_OUTSTANDING);
    long start = System.nanoTime();
    long interval = (long) (1e9 / rate);
    for (int i = 0; i < total; i++) {
      long scheduled = start + i * interval;
      long wait;
      while ((wait = scheduled - System.nanoTime()) > 0) {
        LockSupport.parkNanos(wait);
      }
      int index = i;
      if (!outstanding.tryAcquire()) {
        if (index >= firstMeasured) {
          errors.incrementAndGet();
        }
        all.countDown();
        continue;
      }
      Futures.addCallback(stub.predict(request), new FutureCallback<PredictResponse>() {
        @Override
        public void onSuccess(PredictResponse response) {
          latencies[index] = System.nanoTime() - scheduled;
          done();
        }

        @Override
        public void onFailure(Throwable t) {
          if (index >= firstMeasured) {
            errors.incrementAndGet();
          }
          done();
        }

        private void done() {
          outstanding.release();
          finished.incrementAndGet();
          all.countDown();
        }
      }, MoreExecutors.directExecutor());
    }
    long sent = System.nanoTime();
    all.await((long) (30 + seconds), TimeUnit.SECONDS);
    // Achieved rate: measured requests answered OK over the time from the first measured send to
    // the last answer (or the end of sending, whichever is later).
    long end = Math.max(sent, System.nanoTime());
    double window = (end - (start + firstMeasured * interval)) / 1e9;
    long[] measured = Arrays.stream(latencies, firstMeasured, total).filter(l -> l >= 0).sorted().toArray();
    double p50 = measured.length == 0 ? 0 : measured[measured.length / 2] / 1e6;
    double p99 = measured.length == 0 ? 0 : measured[Math.min(measured.length - 1, measured.length * 99 / 100)] / 1e6;
    long unanswered = (total - firstMeasured) - measured.length - errors.get();
    System.out.printf("%.1f %.1f %.2f %.2f %d%n", rate, measured.length / window, p50, p99, errors.get() + Math.max(0, unanswered));
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  /** One row of the model's input: matmul x [1, 256], mobilenet images [1, 224, 224, 3]. */
  private static PredictRequest request(String model, String alias, String kind) {
    long[] shape = kind.equals("mobilenet") ? new long[] {1, 224, 224, 3} : new long[] {1, 256};
    int n = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    ByteBuffer content = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      content.putFloat((float) Math.sin(i * 0.01) * 0.5f + 0.5f);
    }
    TensorShapeProto.Builder dims = TensorShapeProto.newBuilder();
    for (long d : shape) {
      dims.addDimBuilder().setSize(d);
    }
    return PredictRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName(model))
        .putInputs(alias, TensorProto.newBuilder().setDtype(DataType.DT_FLOAT).setTensorShape(dims)
            .setTensorContent(ByteString.copyFrom(content.array())).build())
        .build();
  }
}
