package io.tessera.admission;

import io.netty.util.internal.PlatformDependent;
import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A budget of bytes held by requests in flight: request bodies, decoded input tensors, decoded
 * images. Every allocation a client can cause is reserved here <em>before</em> it is made; a
 * reservation that would exceed the limit fails at once with RESOURCE_EXHAUSTED (REST 429), so an
 * overload is a clean refusal instead of an OutOfMemoryError.
 *
 * <p>One budget serves the whole process ({@link #process()}), installed by the server at start;
 * a reservation remembers the budget it came from, so installing another one later (tests start
 * several servers in one JVM) never unbalances either. Thread-safe and lock-free.
 */
public final class MemoryBudget {
  /** The smallest automatic budget, whatever the JVM's limits. */
  static final long MIN_AUTO_BYTES = 64L << 20;

  private static volatile MemoryBudget process = new MemoryBudget(Long.MAX_VALUE);

  private final long limit;
  private final AtomicLong used = new AtomicLong();

  public MemoryBudget(long limitBytes) {
    if (limitBytes <= 0) {
      throw new IllegalArgumentException("memory budget must be positive: " + limitBytes);
    }
    this.limit = limitBytes;
  }

  /**
   * The default when {@code --max_inflight_request_bytes} is 0: half of the JVM's maximum heap
   * or half of its direct-memory limit (REST bodies are held in direct buffers), whichever is
   * smaller, at least 64 MiB. The JVM sizes both from the container's memory limit (the launcher
   * sets MaxRAMPercentage and MaxDirectMemorySize), so the budget follows the container.
   */
  public static long autoLimit() {
    long heap = Runtime.getRuntime().maxMemory();
    long direct = PlatformDependent.maxDirectMemory();
    return Math.max(MIN_AUTO_BYTES, Math.min(heap, direct > 0 ? direct : heap) / 2);
  }

  /** The process-wide budget (unlimited until a server installs one). */
  public static MemoryBudget process() {
    return process;
  }

  /** Makes {@code budget} the process-wide budget for reservations taken from now on. */
  public static void install(MemoryBudget budget) {
    process = budget;
  }

  public long limit() {
    return limit;
  }

  /** Bytes reserved right now. */
  public long used() {
    return used.get();
  }

  /**
   * Reserves {@code bytes} for {@code what} (named in the error, e.g. "request body").
   *
   * @throws ServingException RESOURCE_EXHAUSTED when the bytes do not fit; nothing is reserved then
   */
  public Reservation reserve(long bytes, String what) {
    Reservation r = new Reservation(this);
    r.grow(bytes, what);
    return r;
  }

  private boolean tryTake(long bytes) {
    while (true) {
      long now = used.get();
      long next = now + bytes;
      if (bytes < 0 || next > limit || next < 0) {
        return false;
      }
      if (used.compareAndSet(now, next)) {
        return true;
      }
    }
  }

  private ServingException exhausted(long bytes, String what) {
    if (bytes > limit || bytes < 0) {
      return new ServingException(StatusCode.RESOURCE_EXHAUSTED, what + " needs " + bytes
          + " bytes, more than the server's limit of " + limit
          + " bytes for requests in flight (--max_inflight_request_bytes)");
    }
    return new ServingException(StatusCode.RESOURCE_EXHAUSTED, "Server is busy: " + what + " needs " + bytes
        + " bytes but requests in flight already hold " + used.get() + " of " + limit
        + " bytes (--max_inflight_request_bytes); retry later");
  }

  /**
   * Bytes held on a budget until closed. Grows as a buffer grows; {@link #close()} returns
   * everything, is idempotent, and may be called from any thread. Not for concurrent growth.
   */
  public static final class Reservation implements AutoCloseable {
    private final MemoryBudget budget;
    private final AtomicLong held = new AtomicLong();

    private Reservation(MemoryBudget budget) {
      this.budget = budget;
    }

    /** An empty reservation on the process budget, to grow later. */
    public static Reservation empty() {
      return new Reservation(process);
    }

    /** Bytes held. */
    public long bytes() {
      return held.get();
    }

    /**
     * Adds {@code more} bytes.
     *
     * @throws ServingException RESOURCE_EXHAUSTED when they do not fit (what is held stays held)
     */
    public void grow(long more, String what) {
      if (more == 0) {
        return;
      }
      if (!budget.tryTake(more)) {
        throw budget.exhausted(more, what);
      }
      held.addAndGet(more);
    }

    /** Returns {@code fewer} bytes early (e.g. a buffer shrank). */
    public void shrink(long fewer) {
      long give = Math.min(fewer, held.get());
      if (give > 0 && held.addAndGet(-give) >= 0) {
        budget.used.addAndGet(-give);
      }
    }

    @Override
    public void close() {
      long all = held.getAndSet(0);
      if (all > 0) {
        budget.used.addAndGet(-all);
      }
    }
  }
}
