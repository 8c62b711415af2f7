package io.tessera.core;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A request's reference to one AVAILABLE servable version. While any handle is open the version
 * is not torn down (unloading waits for quiescence), so hold it only for the request's duration
 * and close it exactly once (try-with-resources). Closing twice is a no-op.
 */
public final class ServableHandle<T extends AutoCloseable> implements AutoCloseable {
  private final LoadedServable<T> loaded;
  private final AtomicBoolean closed = new AtomicBoolean();

  ServableHandle(LoadedServable<T> loaded) {
    this.loaded = loaded;
  }

  public ServableId id() {
    return loaded.id();
  }

  public T servable() {
    if (closed.get()) {
      throw new IllegalStateException("servable handle used after close");
    }
    return loaded.servable();
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      loaded.release();
    }
  }
}
