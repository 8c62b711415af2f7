package io.tessera.grpc;

import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.EventLoopGroup;
import io.tessera.server.NettyTransport;
import io.tessera.server.ServerCore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * The gRPC listener (grpc-java on Netty): PredictionService and ModelService, with TF Serving's
 * 2 GiB inbound message limit and a worker pool of {@code --grpc_max_threads} threads.
 */
public final class GrpcServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(GrpcServer.class.getName());

  public record Options(String bindAddress, int port, int maxThreads, boolean tensorContentOutputs) {}

  private final Server server;
  private final ExecutorService executor;
  private final EventLoopGroup group;

  public GrpcServer(ServerCore core, Options options) {
    AtomicInteger ids = new AtomicInteger();
    this.executor = Executors.newFixedThreadPool(options.maxThreads(), r -> {
      Thread t = new Thread(r, "tessera-grpc-" + ids.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.group = NettyTransport.eventLoopGroup(
        Math.max(1, Runtime.getRuntime().availableProcessors()), "tessera-grpc-io");
    this.server = NettyServerBuilder.forAddress(new InetSocketAddress(options.bindAddress(), options.port()))
        .channelType(NettyTransport.serverChannelClass())
        .bossEventLoopGroup(group)
        .workerEventLoopGroup(group)
        .executor(executor)
        .maxInboundMessageSize(Integer.MAX_VALUE)
        .maxInboundMetadataSize(Integer.MAX_VALUE)
        .addService(new PredictionServiceImpl(core, options.tensorContentOutputs()))
        .addService(new ModelServiceImpl(core))
        .build();
  }

  public GrpcServer start() throws IOException {
    server.start();
    LOG.info("Running gRPC ModelServer at " + server.getListenSockets() + " ...");
    return this;
  }

  public int port() {
    return server.getPort();
  }

  /** Stops accepting, waits (bounded) for in-flight calls, then frees the threads. */
  @Override
  public void close() {
    server.shutdown();
    try {
      if (!server.awaitTermination(10, TimeUnit.SECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.shutdownNow();
    }
    executor.shutdownNow();
    group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
