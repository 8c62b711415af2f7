package io.tessera.image;

/**
 * Reserves memory for decoding an image of a given pixel count before its pixels are decoded,
 * and gives it back when the lease is closed. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface PixelReservation {
  /** Reserves nothing. */
  PixelReservation NONE = pixels -> () -> { };

  /** May block until memory is available; the lease must be closed exactly once. */
  Lease reserve(long pixels);

  /** A held reservation. */
  interface Lease extends AutoCloseable {
    @Override
    void close();
  }
}
