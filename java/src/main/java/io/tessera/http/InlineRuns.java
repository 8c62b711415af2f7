package io.tessera.http;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Decides which REST API requests run on the I/O thread that read them instead of going to a
 * worker and back: for a model whose requests take microseconds, those two thread hand-offs cost
 * more than the request itself. Only small bodies for routes whose recent requests were all cheap
 * qualify, so a slow model never holds up an event loop for long; anything unknown goes to the
 * workers first and is measured there.
 *
 * <p>Cost estimates are kept per model and route kind as an exponentially weighted moving average
 * (1/8 weight for the newest sample), updated by whichever thread answered. Thread-safe.
 */
final class InlineRuns {
  /** Bodies larger than this always go to a worker (decoding them is not cheap). */
  static final int MAX_INLINE_BODY_BYTES = 16 * 1024;
  private static final long UNKNOWN = -1;

  private final long maxInlineNanos;
  private final ConcurrentHashMap<String, AtomicLong> recentNanos = new ConcurrentHashMap<>();

  /** @param maxInlineMicros --rest_api_inline_max_micros; 0 turns inline runs off */
  InlineRuns(long maxInlineMicros) {
    this.maxInlineNanos = maxInlineMicros * 1000;
  }

  /** Pure policy: run inline only a small body for a route known to be cheap. */
  static boolean runInline(int bodyBytes, long recentNanos, long maxInlineNanos) {
    return maxInlineNanos > 0 && recentNanos != UNKNOWN && recentNanos <= maxInlineNanos
        && bodyBytes <= MAX_INLINE_BODY_BYTES;
  }

  boolean runInline(RestRoute route, int bodyBytes) {
    AtomicLong recent = recentNanos.get(key(route));
    return runInline(bodyBytes, recent == null ? UNKNOWN : recent.get(), maxInlineNanos);
  }

  /** Records how long answering one request of {@code route} took. */
  void record(RestRoute route, long nanos) {
    if (maxInlineNanos == 0) {
      return;
    }
    AtomicLong recent = recentNanos.computeIfAbsent(key(route), k -> new AtomicLong(UNKNOWN));
    recent.getAndUpdate(old -> old == UNKNOWN ? nanos : old + (nanos - old) / 8);
  }

  private static String key(RestRoute route) {
    return route.kind() + " " + route.modelName();
  }
}
