package io.tessera.transport;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Decides which API requests run on the I/O thread that read them instead of going to a worker
 * and back: for a model whose requests take microseconds, those two thread hand-offs cost more
 * than the request itself. Only routes (REST: model and verb; gRPC: method) whose recent requests
 * were all cheap qualify, so a slow model never holds up an event loop for long; anything unknown
 * goes to the workers first and is measured there.
 *
 * <p>Costs are kept per route as an exponentially weighted moving average of wall time, recorded
 * by whichever thread answered. It falls fast (1/2 weight for a cheaper sample) and rises slower
 * (1/8 for a dearer one): on a busy host a worker is often preempted mid-request, which inflates
 * its samples, and a plain average could then keep a cheap route off the I/O thread for good,
 * while a single slow request (say 5 ms against 200 µs) still lifts the estimate past the limit
 * at once. Thread-safe.
 */
public final class InlineRuns {
  /** REST bodies larger than this always go to a worker (decoding them is not cheap). */
  public static final int MAX_INLINE_BODY_BYTES = 16 * 1024;
  /** Routes tracked at most; requests name them, so the table must not grow without bound. */
  static final int MAX_ROUTES = 4096;
  private static final long UNKNOWN = -1;

  private final long maxInlineNanos;
  private final ConcurrentHashMap<String, AtomicLong> recentNanos = new ConcurrentHashMap<>();

  /** @param maxInlineMicros --inline_run_max_micros; 0 turns inline runs off */
  public InlineRuns(long maxInlineMicros) {
    this.maxInlineNanos = maxInlineMicros * 1000;
  }

  /** Pure policy: run inline only a small request to a route known to be cheap. */
  static boolean runInline(int bodyBytes, long recentNanos, long maxInlineNanos) {
    return maxInlineNanos > 0 && recentNanos != UNKNOWN && recentNanos <= maxInlineNanos
        && bodyBytes <= MAX_INLINE_BODY_BYTES;
  }

  /** @param bodyBytes the request's size, or 0 where it is not known yet (gRPC) */
  public boolean runInline(String route, int bodyBytes) {
    AtomicLong recent = recentNanos.get(route);
    return runInline(bodyBytes, recent == null ? UNKNOWN : recent.get(), maxInlineNanos);
  }

  /**
   * Records how long answering one request of {@code route} took; a new route is not tracked once
   * {@link #MAX_ROUTES} are.
   */
  public void record(String route, long nanos) {
    if (maxInlineNanos == 0) {
      return;
    }
    AtomicLong recent = recentNanos.get(route);
    if (recent == null) {
      if (recentNanos.size() >= MAX_ROUTES) {
        return;
      }
      recent = recentNanos.computeIfAbsent(route, k -> new AtomicLong(UNKNOWN));
    }
    recent.getAndUpdate(old -> old == UNKNOWN ? nanos : old + (nanos - old) / (nanos < old ? 2 : 8));
  }
}
