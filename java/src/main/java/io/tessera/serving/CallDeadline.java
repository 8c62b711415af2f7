package io.tessera.serving;

import io.tessera.image.DecodeDeadline;
import io.tessera.servables.SignatureRunner;
import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;

/**
 * When a call must be answered (REST --rest_api_timeout_in_ms from when the call was built, the
 * gRPC call's deadline, none for warmup). The pipeline derives both image decoding's deadline and
 * the one {@link SignatureRunner.RunSettings} of each run from it. Measured on
 * {@link System#nanoTime()}. Immutable.
 */
public final class CallDeadline {
  public static final CallDeadline NONE = new CallDeadline(DecodeDeadline.NONE);

  private final DecodeDeadline at;  // the same instant image decoding stops at

  private CallDeadline(DecodeDeadline at) {
    this.at = at;
  }

  /** {@code timeoutMs} from now; 0 (or less) = none. */
  public static CallDeadline afterMillis(long timeoutMs) {
    return timeoutMs <= 0 ? NONE : new CallDeadline(DecodeDeadline.afterMillis(timeoutMs));
  }

  /** {@code nanos} from now (0 or negative: already expired). */
  public static CallDeadline afterNanos(long nanos) {
    return new CallDeadline(DecodeDeadline.afterNanos(nanos));
  }

  /** Nanoseconds left (Long.MAX_VALUE when none; 0 or less when expired). */
  public long remainingNanos() {
    return at.remainingNanos();
  }

  /** The same instant, for image decoding. */
  DecodeDeadline forDecoding() {
    return at;
  }

  /**
   * The settings of a run starting now: TensorFlow's timeout is what is left (0 = none).
   *
   * @throws ServingException DEADLINE_EXCEEDED when nothing is left
   */
  SignatureRunner.RunSettings runSettings() {
    if (at == DecodeDeadline.NONE) {
      return SignatureRunner.RunSettings.DEFAULT;
    }
    long left = remainingNanos();
    if (left <= 0) {
      throw new ServingException(StatusCode.DEADLINE_EXCEEDED, "Deadline exceeded");
    }
    return new SignatureRunner.RunSettings(Math.max(1, left / 1_000_000L));
  }
}
