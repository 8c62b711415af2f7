package io.tessera.image;

import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import java.util.function.BooleanSupplier;

/**
 * When a request must be answered (REST --rest_api_timeout_in_ms, or the gRPC call's deadline):
 * decoding stops there with DEADLINE_EXCEEDED (HTTP 504); the model run that follows gets what is
 * left (the request pipeline's {@code CallDeadline} holds the same instant).
 * Measured on {@link System#nanoTime()}. Immutable and thread-safe.
 */
public final class DecodeDeadline {
  /** No deadline. */
  public static final DecodeDeadline NONE = new DecodeDeadline(0, false, () -> false);

  private final long atNanos;
  private final boolean set;
  private final BooleanSupplier cancelled;

  private DecodeDeadline(long atNanos, boolean set, BooleanSupplier cancelled) {
    this.atNanos = atNanos;
    this.set = set;
    this.cancelled = cancelled;
  }

  /** {@code timeoutMs} from now; 0 (or less) = none. */
  public static DecodeDeadline afterMillis(long timeoutMs) {
    return timeoutMs <= 0 ? NONE : afterNanos(timeoutMs * 1_000_000L);
  }

  /** {@code nanos} from now (may be 0 or negative: already expired). */
  public static DecodeDeadline afterNanos(long nanos) {
    return new DecodeDeadline(System.nanoTime() + nanos, true, () -> false);
  }

  /**
   * This deadline, also expired once {@code cancelled} is true (a batch whose other image
   * already failed stops decoding the rest). Only {@link #expired()} consults it.
   */
  DecodeDeadline orWhen(BooleanSupplier cancelled) {
    BooleanSupplier mine = this.cancelled;
    return new DecodeDeadline(atNanos, set, () -> mine.getAsBoolean() || cancelled.getAsBoolean());
  }

  /** Nanoseconds left (Long.MAX_VALUE when none; 0 or less when expired). */
  public long remainingNanos() {
    return set ? atNanos - System.nanoTime() : Long.MAX_VALUE;
  }

  public boolean expired() {
    return remainingNanos() <= 0 || cancelled.getAsBoolean();
  }

  ServingException exceeded() {
    return new ServingException(StatusCode.DEADLINE_EXCEEDED,
        "Deadline exceeded while decoding the request's images");
  }
}
