package io.tessera.bench.load;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.tessera.proto.inference.GRPCInferenceServiceGrpc;
import io.tessera.proto.inference.ModelInferRequest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A closed-loop Open Inference Protocol ModelInfer load generator (grpc-java, one channel per
 * thread), FP32 inputs as raw_input_contents (the same 0.5-filled tensor GrpcLoad sends). Usage:
 * name host:port model input-alias tiny|mobilenet threads seconds
 */
public final class V2GrpcLoad {
  public static void main(String[] args) throws Exception {
    String[] target = args[1].split(":");
    boolean mobilenet = args[4].equals("mobilenet");
    int threads = Integer.parseInt(args[5]);
    long[] shape = mobilenet ? new long[] {1, 224, 224, 3} : new long[] {1, 1};
    int n = mobilenet ? 224 * 224 * 3 : 1;
    ByteBuffer content = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      content.putFloat(0.5f);
    }
    ModelInferRequest.InferInputTensor.Builder input = ModelInferRequest.InferInputTensor.newBuilder()
        .setName(args[3]).setDatatype("FP32");
    for (long d : shape) {
      input.addShape(d);
    }
    ModelInferRequest request = ModelInferRequest.newBuilder().setModelName(args[2]).addInputs(input)
        .addRawInputContents(ByteString.copyFrom(content.array())).build();
    ManagedChannel[] channels = new ManagedChannel[threads];
    for (int t = 0; t < threads; t++) {
      channels[t] = NettyChannelBuilder.forAddress(target[0], Integer.parseInt(target[1])).usePlaintext()
          .maxInboundMessageSize(256 << 20).build();
    }
    ThreadLocal<GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub> stubs = new ThreadLocal<>();
    AtomicInteger next = new AtomicInteger();
    System.out.println(Driver.run(args[0], threads, Double.parseDouble(args[6]), () -> {
      GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub = stubs.get();
      if (stub == null) {
        stub = GRPCInferenceServiceGrpc.newBlockingStub(channels[next.getAndIncrement() % threads]);
        stubs.set(stub);
      }
      stub.modelInfer(request);
    }));
    for (ManagedChannel c : channels) {
      c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
