package io.tessera.core;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A loaded version plus its reference count. The manager holds one reference while the version is
 * being served; each {@link ServableHandle} holds one more. When the manager lets go and the last
 * handle closes, {@link #quiesced()} completes and the manager {@link #free()}s the servable
 * (native resources). Acquiring after the
 * manager let go fails, so no request can start on a version being unloaded.
 */
final class LoadedServable<T extends AutoCloseable> {
  private static final Logger LOG = Logger.getLogger(LoadedServable.class.getName());

  private final ServableId id;
  private final T servable;
  private final AtomicInteger refs = new AtomicInteger(1);
  private final CompletableFuture<Void> quiesced = new CompletableFuture<>();

  LoadedServable(ServableId id, T servable) {
    this.id = id;
    this.servable = servable;
  }

  ServableId id() {
    return id;
  }

  T servable() {
    return servable;
  }

  /** Returns a new handle, or null if the version is already being unloaded. */
  ServableHandle<T> tryAcquire() {
    while (true) {
      int current = refs.get();
      if (current == 0) {
        return null;
      }
      if (refs.compareAndSet(current, current + 1)) {
        return new ServableHandle<>(this);
      }
    }
  }

  /** Drops one reference; the last one completes {@link #quiesced()}. */
  void release() {
    if (refs.decrementAndGet() == 0) {
      quiesced.complete(null);
    }
  }

  /** Closes the servable; call once, after {@link #quiesced()} completed. */
  void free() {
    try {
      servable.close();
    } catch (Exception e) {
      LOG.log(Level.WARNING, "error while unloading " + id, e);
    }
  }

  CompletableFuture<Void> quiesced() {
    return quiesced;
  }
}
