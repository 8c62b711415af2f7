package io.tessera.core;

import io.tessera.status.ServingException;

/**
 * Loads one servable version. Construction is cheap; {@link #load()} does the expensive work
 * (TF Serving's Loader contract) and may be called again after a failure (retry).
 *
 * @param <T> the servable; it is closed when the version is unloaded
 */
@FunctionalInterface
public interface Loader<T extends AutoCloseable> {
  /** @throws ServingException (or any exception) when the version cannot be served */
  T load() throws Exception;
}
