package io.tessera.image;

/**
 * Reserves the memory an image's decoding allocates ({@link ImageHeader#decodeBytes}) before any
 * of it is allocated, and gives it back when the lease is closed. Implementations must be
 * thread-safe.
 */
@FunctionalInterface
public interface PixelReservation {
  /** Reserves nothing. */
  PixelReservation NONE = (bytes, deadline) -> () -> { };

  /**
   * May block until memory is available, but not past {@code deadline}; the lease must be closed
   * exactly once.
   *
   * @throws io.tessera.status.ServingException DEADLINE_EXCEEDED or RESOURCE_EXHAUSTED when the
   *     memory is not had in time or not at all; nothing is then held
   */
  Lease reserve(long bytes, DecodeDeadline deadline);

  /** A held reservation. */
  interface Lease extends AutoCloseable {
    @Override
    void close();
  }
}
