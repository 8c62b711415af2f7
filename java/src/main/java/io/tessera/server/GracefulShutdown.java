package io.tessera.server;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import sun.misc.Signal;

/**
 * SIGTERM/SIGINT handling: stop accepting, let in-flight requests finish (each listener drains
 * for a bounded time), unload models, then exit 0 — so `docker stop` and Kubernetes rollouts drop
 * no requests. TF Serving has no signal handling at all. Other exits (System.exit, uncaught
 * errors) still close the server through a shutdown hook.
 */
final class GracefulShutdown {
  private static final Logger LOG = Logger.getLogger(GracefulShutdown.class.getName());

  private GracefulShutdown() {}

  static void install(AutoCloseable server) {
    AtomicBoolean closed = new AtomicBoolean();
    Runnable closeOnce = () -> {
      if (closed.compareAndSet(false, true)) {
        long started = System.nanoTime();
        LOG.info("Shutting down: no new requests; draining in-flight requests, then unloading models");
        try {
          server.close();
        } catch (Exception e) {
          LOG.warning("Error during shutdown: " + e);
        }
        LOG.info("Shutdown complete in " + (System.nanoTime() - started) / 1_000_000 + " ms");
      }
    };
    Runtime.getRuntime().addShutdownHook(new Thread(closeOnce, "tessera-shutdown-hook"));
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(name), signal -> new Thread(() -> {
        closeOnce.run();
        System.exit(0);
      }, "tessera-signal-" + name).start());
    }
  }
}
