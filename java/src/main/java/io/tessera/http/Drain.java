package io.tessera.http;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * In-flight accounting for a graceful stop. Once {@link #begin()} is called, requests that still
 * arrive on open connections are answered but with {@code Connection: close}, so clients move to
 * another instance; {@link #awaitIdle} waits (bounded) until every accepted request was answered.
 * Thread-safe.
 */
final class Drain {
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean draining;

  void started() {
    inFlight.incrementAndGet();
  }

  void finished() {
    inFlight.decrementAndGet();
  }

  boolean draining() {
    return draining;
  }

  void begin() {
    draining = true;
  }

  /** @return true if every in-flight request finished within {@code limit} */
  boolean awaitIdle(Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (inFlight.get() > 0) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(10);
    }
    return true;
  }
}
