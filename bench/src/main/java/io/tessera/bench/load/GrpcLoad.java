package io.tessera.bench.load;

import com.google.protobuf.ByteString;
import io.tessera.proto.serving.ModelSpec;
import io.tessera.proto.serving.PredictRequest;
import io.tessera.proto.serving.PredictionServiceGrpc;
import io.tessera.proto.tf.DataType;
import io.tessera.proto.tf.TensorProto;
import io.tessera.proto.tf.TensorShapeProto;

/**
 * A closed-loop gRPC Predict load generator (grpc-java, one channel per thread). Usage:
 * name host:port|unix:/socket/path model input-alias tiny|mobilenet|matmul threads seconds
 * (matmul: MatmulModel's [1, 256])
 */
public final class GrpcLoad {
  public static void main(String[] args) throws Exception {
    int threads = Integer.parseInt(args[5]);
    LoadChannels.HalfFilled input = LoadChannels.HalfFilled.of(args[4]);
    TensorShapeProto.Builder dims = TensorShapeProto.newBuilder();
    for (long d : input.shape()) {
      dims.addDimBuilder().setSize(d);
    }
    PredictRequest request = PredictRequest.newBuilder()
        .setModelSpec(ModelSpec.newBuilder().setName(args[2]))
        .putInputs(args[3], TensorProto.newBuilder().setDtype(DataType.DT_FLOAT).setTensorShape(dims)
            .setTensorContent(ByteString.copyFrom(input.littleEndian())).build())
        .build();
    try (LoadChannels channels = new LoadChannels(args[1], threads)) {
      ThreadLocal<PredictionServiceGrpc.PredictionServiceBlockingStub> stubs =
          ThreadLocal.withInitial(() -> PredictionServiceGrpc.newBlockingStub(channels.next()));
      System.out.println(Driver.run(args[0], threads, Double.parseDouble(args[6]),
          () -> stubs.get().predict(request)));
    }
  }
}
