package io.tessera.bench.load;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import io.tessera.proto.serving.ModelSpec;
import io.tessera.proto.serving.PredictRequest;
import io.tessera.proto.serving.PredictionServiceGrpc;
import io.tessera.proto.tf.DataType;
import io.tessera.proto.tf.TensorProto;
import io.tessera.proto.tf.TensorShapeProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

/**
 * A closed-loop gRPC Predict load generator (grpc-java, one channel per thread). Usage:
 * name host:port|unix:/socket/path model input-alias tiny|mobilenet|matmul threads seconds
 * (matmul: MatmulModel's [1, 256])
 */
public final class GrpcLoad {
  public static void main(String[] args) throws Exception {
    boolean mobilenet = args[4].equals("mobilenet");
    int threads = Integer.parseInt(args[5]);
    boolean matmul = args[4].equals("matmul");
    long[] shape = mobilenet ? new long[] {1, 224, 224, 3} : matmul ? new long[] {1, 256} : new long[] {1, 1};
    int n = mobilenet ? 224 * 224 * 3 : matmul ? 256 : 1;
    ByteBuffer content = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      content.putFloat(0.5f);
    }
    TensorShapeProto.Builder dims = TensorShapeProto.newBuilder();
    for (long d : shape) {
      dims.addDimBuilder().setSize(d);
    }
    PredictRequest request = PredictRequest.newBuilder()
        .setModelSpec(ModelSpec.newBuilder().setName(args[2]))
        .putInputs(args[3], TensorProto.newBuilder().setDtype(DataType.DT_FLOAT).setTensorShape(dims)
            .setTensorContent(ByteString.copyFrom(content.array())).build())
        .build();
    ManagedChannel[] channels = new ManagedChannel[threads];
    EventLoopGroup unixGroup = args[1].startsWith("unix:") ? new EpollEventLoopGroup(threads) : null;
    for (int t = 0; t < threads; t++) {
      NettyChannelBuilder b;
      if (unixGroup != null) {  // a same-host client over --grpc_socket_path
        b = NettyChannelBuilder.forAddress(new DomainSocketAddress(args[1].substring("unix:".length())))
            .channelType(EpollDomainSocketChannel.class).eventLoopGroup(unixGroup);
      } else {
        String[] target = args[1].split(":");
        b = NettyChannelBuilder.forAddress(target[0], Integer.parseInt(target[1]));
      }
      channels[t] = b.usePlaintext().maxInboundMessageSize(256 << 20).build();
    }
    ThreadLocal<PredictionServiceGrpc.PredictionServiceBlockingStub> stubs = new ThreadLocal<>();
    java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
    System.out.println(Driver.run(args[0], threads, Double.parseDouble(args[6]), () -> {
      PredictionServiceGrpc.PredictionServiceBlockingStub stub = stubs.get();
      if (stub == null) {
        stub = PredictionServiceGrpc.newBlockingStub(channels[next.getAndIncrement() % threads]);
        stubs.set(stub);
      }
      stub.predict(request);
    }));
    for (ManagedChannel c : channels) {
      c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (unixGroup != null) {
      unixGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }
}
