package io.tessera.bench.load;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/** Runs a call on T threads, closed loop, for D seconds (after a short warm-up) and reports stats. */
final class Driver {
  /** One request; throws on failure. */
  interface Call {
    void run() throws Exception;
  }

  private Driver() {}

  static String run(String name, int threads, double seconds, Call call) throws InterruptedException {
    long warmupEnd = System.nanoTime() + 1_000_000_000L;
    while (System.nanoTime() < warmupEnd) {
      try {
        call.run();
      } catch (Exception e) {
        throw new IllegalStateException(name + " failed during warm-up", e);
      }
    }
    AtomicBoolean stop = new AtomicBoolean();
    LoadStats stats = new LoadStats();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread worker = new Thread(() -> {
        long[] samples = new long[1 << 22];
        int n = 0;
        long failed = 0;
        while (!stop.get()) {
          long begin = System.nanoTime();
          try {
            call.run();
            if (n < samples.length) {
              samples[n++] = System.nanoTime() - begin;
            }
          } catch (Exception e) {
            failed++;
          }
        }
        stats.add(samples, n, failed);
      });
      worker.start();
      workers.add(worker);
    }
    Thread.sleep((long) (seconds * 1000));
    stop.set(true);
    for (Thread w : workers) {
      w.join();
    }
    return stats.line(name, seconds);
  }
}
