package io.tessera.server;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Logger;
import sun.misc.Signal;

/**
 * SIGTERM/SIGINT handling: readiness 503 for --shutdown_delay_seconds while still serving, then
 * stop accepting, let in-flight requests finish (each listener drains
 * for a bounded time), unload models, then exit 0 — so `docker stop` and Kubernetes rollouts drop
 * no requests. TF Serving has no signal handling at all. Other exits (System.exit, uncaught
 * errors) still close the server through a shutdown hook.
 */
final class GracefulShutdown {
  private static final Logger LOG = Logger.getLogger(GracefulShutdown.class.getName());

  private GracefulShutdown() {}

  static void install(TesseraServer server) {
    AtomicBoolean closed = new AtomicBoolean();
    Consumer<Boolean> closeOnce = withDelay -> {
      if (closed.compareAndSet(false, true)) {
        long started = System.nanoTime();
        LOG.info("Shutting down: readiness off, then no new requests; draining in-flight requests, then unloading models");
        try {
          if (withDelay) {
            server.shutdownGracefully();
          } else {
            server.close();
          }
        } catch (Exception e) {
          LOG.warning("Error during shutdown: " + e);
        }
        LOG.info("Shutdown complete in " + (System.nanoTime() - started) / 1_000_000 + " ms");
      }
    };
    Runtime.getRuntime().addShutdownHook(new Thread(() -> closeOnce.accept(false), "tessera-shutdown-hook"));
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(name), signal -> new Thread(() -> {
        closeOnce.accept(true);
        System.exit(0);
      }, "tessera-signal-" + name).start());
    }
  }
}
