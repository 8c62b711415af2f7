package io.tessera.bench.load;

import com.google.protobuf.ByteString;
import io.tessera.proto.inference.GRPCInferenceServiceGrpc;
import io.tessera.proto.inference.ModelInferRequest;

/**
 * A closed-loop Open Inference Protocol ModelInfer load generator (grpc-java, one channel per
 * thread), FP32 inputs as raw_input_contents (the same 0.5-filled tensor GrpcLoad sends). Usage:
 * name host:port|unix:/socket/path model input-alias tiny|mobilenet|matmul threads seconds
 */
public final class V2GrpcLoad {
  public static void main(String[] args) throws Exception {
    int threads = Integer.parseInt(args[5]);
    LoadChannels.HalfFilled given = LoadChannels.HalfFilled.of(args[4]);
    ModelInferRequest.InferInputTensor.Builder input = ModelInferRequest.InferInputTensor.newBuilder()
        .setName(args[3]).setDatatype("FP32");
    for (long d : given.shape()) {
      input.addShape(d);
    }
    ModelInferRequest request = ModelInferRequest.newBuilder().setModelName(args[2]).addInputs(input)
        .addRawInputContents(ByteString.copyFrom(given.littleEndian())).build();
    try (LoadChannels channels = new LoadChannels(args[1], threads)) {
      ThreadLocal<GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub> stubs =
          ThreadLocal.withInitial(() -> GRPCInferenceServiceGrpc.newBlockingStub(channels.next()));
      System.out.println(Driver.run(args[0], threads, Double.parseDouble(args[6]),
          () -> stubs.get().modelInfer(request)));
    }
  }
}
