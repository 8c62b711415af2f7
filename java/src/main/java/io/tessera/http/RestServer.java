package io.tessera.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.ssl.SslContext;
import io.tessera.admission.Limits;
import io.tessera.transport.HttpApi;
import io.tessera.transport.InlineRuns;
import io.tessera.transport.NettyTransport;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * The REST listener: Netty HTTP/1.1 (gzip request bodies inflated, bodies aggregated up to a
 * limit) in front of a fixed worker pool of {@code --rest_api_num_threads} threads that run
 * inference. Event-loop threads parse and write, and also run small requests to routes measured
 * as cheap ({@link io.tessera.transport.InlineRuns}, --inline_run_max_micros) instead of handing
 * them to a worker.
 *
 * <p>Safe to expose: per connection, pipeline order is [TLS] → {@link ConnectionLimit} (cap, 503)
 * → {@link RestTimeouts} (idle / read 408 / write) → codec → {@link RequestGate} (one request in
 * flight, answered in order, reading only after the previous answer was written) → drain counting
 * → 100-continue → gzip ({@link BodyDecompressor}: 400 when a body does not inflate) →
 * {@link JsonBodyLimit} (one direct buffer, 413 over the size limit, 429 over the memory budget)
 * → {@link RestHandler}.
 */
public final class RestServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(RestServer.class.getName());

  /**
   * Listener settings. {@code maxBodyBytes} bounds an aggregated request body; {@code tls} null
   * means plain HTTP; {@code extras} serves the non-API pages (metrics, probes, demo page).
   *
   * @param inlineMaxMicros --inline_run_max_micros (see {@link InlineRuns}); 0 = never inline
   * @param limits connection cap and timeouts
   * @param otherApi another API answered on this listener (the Open Inference Protocol's /v2), or null
   */
  public record Options(String bindAddress, int port, int numThreads, int maxBodyBytes, boolean cors,
      SslContext tls, ExtraPages extras, long inlineMaxMicros, Limits limits, HttpApi otherApi) {}

  /** How long a stop waits for accepted requests to be answered. */
  private static final java.time.Duration DRAIN_LIMIT = java.time.Duration.ofSeconds(20);

  private final RestApi api;
  private final Options options;
  private final ExecutorService workers;
  private final Drain drain = new Drain();
  private final InlineRuns inline;
  private final ConnectionLimit connections;
  private EventLoopGroup group;
  private Channel channel;

  public RestServer(RestApi api, Options options) {
    this.api = api;
    this.options = options;
    this.inline = new InlineRuns(options.inlineMaxMicros());
    this.connections = new ConnectionLimit(options.limits().restMaxConnections());
    AtomicInteger ids = new AtomicInteger();
    this.workers = Executors.newFixedThreadPool(options.numThreads(), r -> {
      Thread t = new Thread(r, "tessera-rest-" + ids.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  public RestServer start() throws InterruptedException {
    group = NettyTransport.eventLoopGroup(Math.max(1, Runtime.getRuntime().availableProcessors()), "tessera-rest-io");
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(group)
        .channel(NettyTransport.serverChannelClass())
        .option(ChannelOption.SO_BACKLOG, 1024)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            // autoRead is off: RequestGate and JsonBodyLimit ask for bytes only when a request
            // may be read, so a connection holds at most one request and one response.
            ch.config().setAutoRead(false);
            ChannelPipeline p = ch.pipeline();
            if (options.tls() != null) {
              p.addLast(options.tls().newHandler(ch.alloc()));
            }
            RestTimeouts timeouts = new RestTimeouts(options.limits());
            RequestGate gate = new RequestGate(timeouts);
            p.addLast(connections);
            p.addLast(timeouts);
            p.addLast(new HttpServerCodec());
            p.addLast(gate);
            p.addLast(new DrainCounter(drain));
            p.addLast(new HttpServerExpectContinueHandler());
            p.addLast(new BodyDecompressor());
            p.addLast(new JsonBodyLimit(options.maxBodyBytes(), timeouts));
            p.addLast(new RestHandler(api, workers, inline, options.cors(), options.extras(), drain,
                gate, timeouts, options.otherApi()));
          }
        });
    channel = bootstrap.bind(new InetSocketAddress(options.bindAddress(), options.port())).sync().channel();
    LOG.info("Exporting HTTP/REST API at:" + options.bindAddress() + ":" + port()
        + (options.tls() != null ? " (TLS)" : "") + " ...");
    return this;
  }

  /** The bound port (useful with port 0). */
  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  /** Stops accepting, lets in-flight requests finish (bounded), then stops the threads. */
  @Override
  public void close() {
    if (channel != null) {
      channel.close().syncUninterruptibly();
    }
    drain.begin();
    try {
      if (!drain.awaitIdle(DRAIN_LIMIT)) {
        LOG.warning("REST requests still in flight after " + DRAIN_LIMIT.toSeconds() + " s; stopping anyway");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    workers.shutdown();
    try {
      workers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (group != null) {
      group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }
}
