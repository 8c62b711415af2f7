package io.tessera.nativebridge;

import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.bytedeco.javacpp.Pointer;

/**
 * Sole owner of one native object.
 *
 * <p>Contract: {@link #close()} frees the native object exactly once, is idempotent and
 * thread-safe; any use after close throws {@link IllegalStateException} naming where it was
 * closed when {@code -Dtessera.trackNativeCloses=true}. Native memory is invisible to the GC, so
 * owners must close explicitly (try-with-resources, or the servable lifecycle). A {@link Cleaner}
 * is registered only as a leak detector: if an unclosed handle becomes unreachable it logs a
 * leak, counts it ({@link #leakCount()}) and frees the object as a last resort.
 */
public abstract class NativeHandle<P extends Pointer> implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(NativeHandle.class.getName());
  private static final Cleaner CLEANER = Cleaner.create();
  private static final AtomicLong LEAKS = new AtomicLong();
  private static final boolean TRACK_CLOSES = Boolean.getBoolean("tessera.trackNativeCloses");

  private final AtomicReference<P> pointer;
  private final LeakGuard<P> guard;
  private final Cleaner.Cleanable cleanable;
  private volatile Throwable closedAt;

  protected NativeHandle(P pointer, Consumer<P> free) {
    this.pointer = new AtomicReference<>(pointer);
    this.guard = new LeakGuard<>(pointer, free, getClass().getSimpleName());
    this.cleanable = CLEANER.register(this, guard);
  }

  /** The live native pointer; throws if this handle was closed. */
  protected final P pointer() {
    P p = pointer.get();
    if (p == null) {
      throw new IllegalStateException(
          getClass().getSimpleName() + " used after close", closedAt);
    }
    return p;
  }

  public final boolean isClosed() {
    return pointer.get() == null;
  }

  @Override
  public final void close() {
    P p = pointer.getAndSet(null);
    if (p == null) {
      return;
    }
    if (TRACK_CLOSES) {
      closedAt = new Throwable("closed here");
    }
    guard.closedExplicitly = true;
    beforeFree();
    cleanable.clean();
  }

  /** Runs once, in the first close(), just before the native object is freed (dependents first). */
  protected void beforeFree() {}

  /** Number of handles freed by the leak detector instead of close() since JVM start. */
  public static long leakCount() {
    return LEAKS.get();
  }

  /** Must not reference the handle, or the handle would never become unreachable. */
  private static final class LeakGuard<P extends Pointer> implements Runnable {
    private final P pointer;
    private final Consumer<P> free;
    private final String kind;
    private volatile boolean closedExplicitly;

    LeakGuard(P pointer, Consumer<P> free, String kind) {
      this.pointer = pointer;
      this.free = free;
      this.kind = kind;
    }

    @Override
    public void run() {
      if (!closedExplicitly) {
        LEAKS.incrementAndGet();
        LOG.log(Level.SEVERE, "LEAK: native " + kind + " was never closed; freed by the GC");
      }
      free.accept(pointer);
    }
  }
}
