package io.tessera.grpc;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.ssl.SslContext;
import io.tessera.admission.Limits;
import io.tessera.serving.ServerCore;
import io.tessera.transport.InlineRuns;
import io.tessera.transport.NettyTransport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * The gRPC listener (grpc-java on Netty): PredictionService and ModelService, with TF Serving's
 * 2 GiB inbound message limit and a worker pool of {@code --grpc_max_threads} threads.
 *
 * <p>Limits ({@link Limits}): inbound metadata per call, concurrent calls per connection,
 * server keepalive pings, connection idle time and age. Client pings closer together than
 * {@link #PERMIT_KEEPALIVE_SECONDS} are strikes (repeated: the connection is closed with
 * ENHANCE_YOUR_CALM), and pings without calls in flight are not permitted, as in gRPC core.
 * Every service's request messages count against the memory budget while parsed and until
 * their call ends, and one that does not parse is answered INTERNAL "Invalid protobuf byte
 * sequence", not UNKNOWN ({@link RequestBudget}). {@code --grpc_channel_arguments} apply last and may
 * override any of these. Config reloads run on a separate pool of {@value #RELOAD_THREADS} threads
 * with at most {@value #RELOAD_QUEUE} waiting (more are answered UNAVAILABLE), so slow or stuck
 * reloads never take request workers.
 */
public final class GrpcServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(GrpcServer.class.getName());
  /** The shortest interval between client keepalive pings the server accepts. */
  static final int PERMIT_KEEPALIVE_SECONDS = 10;
  static final int RELOAD_THREADS = 2;
  static final int RELOAD_QUEUE = 16;

  /**
   * @param port TCP port; 0 with a socket path means "UNIX socket only"
   * @param tls server TLS context, or null for plaintext
   * @param health grpc.health.v1.Health service to register, or null
   * @param socketPath also listen on this UNIX domain socket (empty = no)
   * @param channelArguments --grpc_channel_arguments ("key=value,...")
   * @param inlineMaxMicros --inline_run_max_micros: methods whose calls recently took at most this
   *     long are answered on the transport thread (see {@link OffloadInterceptor}); 0 = never
   * @param limits transport limits and the reload RPC's settings
   * @param reflection also serve grpc.reflection.v1 and v1alpha (--enable_grpc_reflection)
   * @param otherServices more services on this listener (the Open Inference Protocol's), with the
   *     same limits, memory accounting and offload
   */
  public record Options(String bindAddress, int port, int maxThreads, boolean tensorContentOutputs,
      SslContext tls, BindableService health, String socketPath, String channelArguments, long inlineMaxMicros,
      Limits limits, boolean reflection, List<BindableService> otherServices) {}

  private final Server server;
  private final Server socketServer;
  private final ExecutorService executor;
  private final ExecutorService reloads;
  private final OffloadInterceptor offload;
  private final EventLoopGroup group;

  public GrpcServer(ServerCore core, Options options) {
    AtomicInteger ids = new AtomicInteger();
    this.executor = Executors.newFixedThreadPool(options.maxThreads(), r -> {
      Thread t = new Thread(r, "tessera-grpc-" + ids.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    this.reloads = new ThreadPoolExecutor(RELOAD_THREADS, RELOAD_THREADS, 0, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(RELOAD_QUEUE), r -> {
          Thread t = new Thread(r, "tessera-reload-" + ids.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    this.offload = new OffloadInterceptor(executor, new InlineRuns(options.inlineMaxMicros()));
    this.group = NettyTransport.eventLoopGroup(
        Math.max(1, Runtime.getRuntime().availableProcessors()), "tessera-grpc-io");
    boolean tcp = options.port() != 0 || options.socketPath().isEmpty();
    this.server = tcp ? build(core, options, NettyServerBuilder.forAddress(
        new InetSocketAddress(options.bindAddress(), options.port()))
        .channelType(NettyTransport.serverChannelClass())) : null;
    this.socketServer = options.socketPath().isEmpty() ? null : build(core, options,
        NettyServerBuilder.forAddress(new DomainSocketAddress(options.socketPath()))
            .channelType(EpollServerDomainSocketChannel.class));
  }

  private Server build(ServerCore core, Options options, NettyServerBuilder builder) {
    Limits limits = options.limits();
    RequestBudget budget = new RequestBudget();
    builder.bossEventLoopGroup(group)
        .workerEventLoopGroup(group)
        .directExecutor()  // callbacks move to the workers in OffloadInterceptor, unless cheap
        .intercept(offload)
        .intercept(budget)  // last added runs first: it must see every call before the others
        .addStreamTracerFactory(budget)
        .maxInboundMessageSize(Integer.MAX_VALUE)
        .maxInboundMetadataSize(limits.grpcMaxMetadataBytes())
        .maxConcurrentCallsPerConnection(limits.grpcMaxConcurrentCallsPerConnection())
        .keepAliveTime(nanosOrOff(limits.grpcKeepaliveTime()), TimeUnit.NANOSECONDS)
        .keepAliveTimeout(nanosOrOff(limits.grpcKeepaliveTimeout()), TimeUnit.NANOSECONDS)
        .maxConnectionIdle(nanosOrOff(limits.grpcMaxConnectionIdle()), TimeUnit.NANOSECONDS)
        .maxConnectionAge(nanosOrOff(limits.grpcMaxConnectionAge()), TimeUnit.NANOSECONDS)
        .maxConnectionAgeGrace(nanosOrOff(limits.grpcMaxConnectionAgeGrace()), TimeUnit.NANOSECONDS)
        .permitKeepAliveTime(PERMIT_KEEPALIVE_SECONDS, TimeUnit.SECONDS)
        .permitKeepAliveWithoutCalls(false)
        .addService(budget.counting(
            new PredictionServiceImpl(core.pipeline(), options.tensorContentOutputs()).definition()))
        .addService(budget.counting(new ModelServiceImpl(core, options.limits(), reloads).bindService()));
    GrpcChannelArguments.apply(options.channelArguments(), builder);
    if (options.tls() != null) {
      builder.sslContext(options.tls());
    }
    if (options.health() != null) {
      builder.addService(budget.counting(options.health().bindService()));
    }
    if (options.reflection()) {
      // Both versions: grpcurl and most tools ask v1 first and fall back to v1alpha.
      builder.addService(budget.counting(ProtoReflectionServiceV1.newInstance().bindService()));
      builder.addService(budget.counting(ProtoReflectionService.newInstance().bindService()));
    }
    for (BindableService service : options.otherServices()) {
      builder.addService(budget.counting(service.bindService()));
    }
    return builder.build();
  }

  /** grpc-java's "off" for these settings is Long.MAX_VALUE; a zero Duration means off here. */
  private static long nanosOrOff(Duration d) {
    return d.isZero() ? Long.MAX_VALUE : d.toNanos();
  }

  public GrpcServer start() throws IOException {
    if (server != null) {
      server.start();
      LOG.info("Running gRPC ModelServer at " + server.getListenSockets() + " ...");
    }
    if (socketServer != null) {
      socketServer.start();
      LOG.info("Running gRPC ModelServer at unix:" + socketServer.getListenSockets() + " ...");
    }
    return this;
  }

  /** The bound TCP port, or -1 when gRPC listens only on a UNIX socket. */
  public int port() {
    return server == null ? -1 : server.getPort();
  }

  /** Stops accepting, waits (bounded) for in-flight calls, then frees the threads. */
  @Override
  public void close() {
    for (Server s : new Server[] {server, socketServer}) {
      if (s != null) {
        s.shutdown();
      }
    }
    for (Server s : new Server[] {server, socketServer}) {
      if (s == null) {
        continue;
      }
      try {
        if (!s.awaitTermination(10, TimeUnit.SECONDS)) {
          s.shutdownNow();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        s.shutdownNow();
      }
    }
    executor.shutdownNow();
    reloads.shutdownNow();
    group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
