package io.tessera.core;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The AVAILABLE versions of every servable, as an immutable snapshot swapped atomically
 * (TF Serving's FastReadDynamicPtr): readers take no lock; writers (manager threads) serialize
 * on this object, build a new map off to the side and publish it.
 */
final class ServingMap<T extends AutoCloseable> {
  private final AtomicReference<Map<String, NavigableMap<Long, LoadedServable<T>>>> current =
      new AtomicReference<>(Collections.emptyMap());

  /** The given version, or the highest one when {@code version} is null; null if absent. */
  LoadedServable<T> find(String name, Long version) {
    NavigableMap<Long, LoadedServable<T>> versions = current.get().get(name);
    if (versions == null || versions.isEmpty()) {
      return null;
    }
    return version == null ? versions.lastEntry().getValue() : versions.get(version);
  }

  /** Every AVAILABLE version of {@code name}, oldest first. */
  java.util.Collection<LoadedServable<T>> all(String name) {
    NavigableMap<Long, LoadedServable<T>> versions = current.get().get(name);
    return versions == null ? java.util.List.of() : versions.values();
  }

  void publish(ServableId id, LoadedServable<T> loaded) {
    update(id.name(), versions -> versions.put(id.version(), loaded));
  }

  void unpublish(ServableId id) {
    update(id.name(), versions -> versions.remove(id.version()));
  }

  private synchronized void update(String name, java.util.function.Consumer<NavigableMap<Long, LoadedServable<T>>> change) {
    Map<String, NavigableMap<Long, LoadedServable<T>>> next = new HashMap<>(current.get());
    NavigableMap<Long, LoadedServable<T>> versions = new TreeMap<>(next.getOrDefault(name, new TreeMap<>()));
    change.accept(versions);
    if (versions.isEmpty()) {
      next.remove(name);
    } else {
      next.put(name, Collections.unmodifiableNavigableMap(versions));
    }
    current.set(Collections.unmodifiableMap(next));
  }
}
