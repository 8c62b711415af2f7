package io.tessera.core;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs tasks in submission order per key (one servable's state changes never overlap) while
 * different keys run in parallel on a fixed pool of daemon threads. A task that throws is logged
 * and does not stop later tasks of its key. After {@link #close()} tasks run on the caller.
 */
final class KeyedSerialExecutor implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(KeyedSerialExecutor.class.getName());
  private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

  private final ThreadPoolExecutor pool;
  private final Map<String, CompletableFuture<Void>> tails = new HashMap<>();  // guarded by this

  KeyedSerialExecutor(int threads, String threadName) {
    int size = Math.max(1, threads);
    this.pool = new ThreadPoolExecutor(size, size, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
        daemonThreads(threadName));
  }

  /** Daemon threads named {@code name-1}, {@code name-2}, ... */
  static ThreadFactory daemonThreads(String name) {
    AtomicInteger count = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * Changes the number of threads (at least one) and starts them all, so the pool has exactly that
   * many once surplus threads finish their current task. Queued tasks keep their order per key.
   */
  synchronized void resize(int threads) {
    int size = Math.max(1, threads);
    if (size > pool.getMaximumPoolSize()) {
      pool.setMaximumPoolSize(size);
      pool.setCorePoolSize(size);
    } else {
      pool.setCorePoolSize(size);
      pool.setMaximumPoolSize(size);
    }
    pool.prestartAllCoreThreads();
  }

  /** The number of threads now (tests). */
  int threads() {
    return pool.getPoolSize();
  }

  void execute(String key, Runnable task) {
    synchronized (this) {
      if (!pool.isShutdown()) {
        tails.put(key, tails.getOrDefault(key, DONE).thenRunAsync(() -> runLogged(task), pool));
        return;
      }
    }
    runLogged(task);
  }

  /** Waits until every task submitted before this call has finished; false on timeout. */
  boolean awaitIdle(Duration timeout) throws InterruptedException {
    CompletableFuture<Void> all;
    synchronized (this) {
      all = CompletableFuture.allOf(tails.values().toArray(new CompletableFuture<?>[0]));
    }
    try {
      all.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      throw new IllegalStateException("a manager task was rejected", e.getCause());
    }
  }

  private static void runLogged(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException | Error e) {
      LOG.log(Level.SEVERE, "servable manager task failed", e);
    }
  }

  /** Stops the threads after the queued tasks (waits up to a minute). */
  @Override
  public void close() {
    synchronized (this) {
      pool.shutdown();
    }
    try {
      pool.awaitTermination(1, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
