package io.tessera.bench.load;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gRPC load clients' channels: one plaintext channel per client thread to {@code host:port}
 * or {@code unix:/socket/path} (a same-host client over --grpc_socket_path), handed out round-robin.
 */
final class LoadChannels implements AutoCloseable {
  private final ManagedChannel[] channels;
  private final EventLoopGroup unixGroup;
  private final AtomicInteger next = new AtomicInteger();

  LoadChannels(String target, int threads) {
    channels = new ManagedChannel[threads];
    unixGroup = target.startsWith("unix:") ? new EpollEventLoopGroup(threads) : null;
    for (int t = 0; t < threads; t++) {
      NettyChannelBuilder b;
      if (unixGroup != null) {
        b = NettyChannelBuilder.forAddress(new DomainSocketAddress(target.substring("unix:".length())))
            .channelType(EpollDomainSocketChannel.class).eventLoopGroup(unixGroup);
      } else {
        String[] hostPort = target.split(":");
        b = NettyChannelBuilder.forAddress(hostPort[0], Integer.parseInt(hostPort[1]));
      }
      channels[t] = b.usePlaintext().maxInboundMessageSize(256 << 20).build();
    }
  }

  /** The next channel, for one client thread's stub. */
  ManagedChannel next() {
    return channels[next.getAndIncrement() % channels.length];
  }

  /** The bench's FP32 input for a model kind: 0.5 everywhere, little-endian, with its shape. */
  record HalfFilled(long[] shape, byte[] littleEndian) {
    static HalfFilled of(String kind) {
      long[] shape = switch (kind) {
        case "mobilenet" -> new long[] {1, 224, 224, 3};
        case "matmul" -> new long[] {1, 256};  // MatmulModel's input
        default -> new long[] {1, 1};
      };
      int n = 1;
      for (long d : shape) {
        n *= (int) d;
      }
      ByteBuffer content = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < n; i++) {
        content.putFloat(0.5f);
      }
      return new HalfFilled(shape, content.array());
    }
  }

  @Override
  public void close() throws InterruptedException {
    for (ManagedChannel c : channels) {
      c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (unixGroup != null) {
      unixGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }
}
