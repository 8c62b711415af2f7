package io.tessera.image;

import io.tessera.admission.MemoryBudget;
import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bounded executor images are decoded on, shared by all models: a fixed number of daemon
 * threads, a bounded queue (a full queue fails the request with RESOURCE_EXHAUSTED rather than
 * queueing without limit), and a memory budget for decoding ({@link #reservation()}), so at most
 * {@code budgetBytes} of decoder memory ({@link ImageHeader#decodeBytes}) is in use at once; a
 * single image larger than the whole budget waits until it has the budget to itself. Each image's
 * memory is also reserved on the process-wide {@link MemoryBudget}, which fails at once
 * (RESOURCE_EXHAUSTED) rather than wait. Thread-safe.
 */
public final class DecodePool {
  private static final long KIB = 1024;

  private static final class Shared {
    static final DecodePool INSTANCE = new DecodePool(
        Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())), 1024,
        Math.min(1L << 30, Runtime.getRuntime().maxMemory() / 4));
  }

  private final ThreadPoolExecutor executor;
  private final Semaphore budgetKib;
  private final int totalKib;

  /**
   * @param threads decoding threads
   * @param queueCapacity images waiting for a thread, at most
   * @param budgetBytes decoder memory in use at once, at most (rounded to KiB)
   */
  public DecodePool(int threads, int queueCapacity, long budgetBytes) {
    AtomicInteger ids = new AtomicInteger();
    this.executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(queueCapacity), r -> {
          Thread t = new Thread(r, "tessera-image-decode-" + ids.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    this.totalKib = (int) Math.max(1, Math.min(Integer.MAX_VALUE, budgetBytes / KIB));
    this.budgetKib = new Semaphore(totalKib, true);
  }

  /** The process-wide pool: min(4, cores) threads, 1024 queued images, min(1 GiB, heap / 4). */
  public static DecodePool shared() {
    return Shared.INSTANCE;
  }

  /** @throws ServingException RESOURCE_EXHAUSTED when the queue is full */
  void execute(Runnable task) {
    try {
      executor.execute(task);
    } catch (RejectedExecutionException e) {
      throw new ServingException(StatusCode.RESOURCE_EXHAUSTED,
          "too many images waiting to be decoded; retry later");
    }
  }

  /**
   * Waits (until the deadline: DEADLINE_EXCEEDED) for the bytes to fit in this pool's budget, then
   * reserves them on {@link MemoryBudget#process()} (RESOURCE_EXHAUSTED when they do not fit).
   */
  public PixelReservation reservation() {
    return (bytes, deadline) -> {
      int kib = (int) Math.min(totalKib, Math.max(1, bytes / KIB));
      try {
        if (!budgetKib.tryAcquire(kib, Math.max(0, deadline.remainingNanos()), TimeUnit.NANOSECONDS)) {
          throw deadline.exceeded();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ServingException(StatusCode.CANCELLED, "interrupted while waiting to decode an image");
      }
      MemoryBudget.Reservation process;
      try {
        process = MemoryBudget.process().reserve(bytes, "decoding an image");
      } catch (RuntimeException e) {
        budgetKib.release(kib);
        throw e;
      }
      AtomicInteger once = new AtomicInteger();
      return () -> {
        if (once.getAndIncrement() == 0) {
          process.close();
          budgetKib.release(kib);
        }
      };
    };
  }

  /** Stops the threads (tests); queued work is dropped. */
  public void shutdown() {
    executor.shutdownNow();
  }
}
