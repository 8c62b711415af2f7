package io.tessera.admission;

import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One log line per client-caused error, never a stack trace, and at most {@code perSecond} lines
 * a second per instance; lines dropped by the limit are counted and reported with the next line
 * that is written. A client sending malformed requests as fast as it can thus writes a bounded
 * amount of log. Thread-safe.
 */
public final class ClientErrorLog {
  private final Logger log;
  private final int perSecond;
  private final AtomicLong window = new AtomicLong();
  private final AtomicLong inWindow = new AtomicLong();
  private final AtomicLong suppressed = new AtomicLong();

  public ClientErrorLog(Logger log, int perSecond) {
    this.log = log;
    this.perSecond = perSecond;
  }

  /** Logs {@code line} (first line only, at most 300 characters) at INFO unless over the rate. */
  public void log(String line) {
    long second = System.nanoTime() / 1_000_000_000L;
    long current = window.get();
    if (current != second && window.compareAndSet(current, second)) {
      inWindow.set(0);
    }
    if (inWindow.incrementAndGet() > perSecond) {
      suppressed.incrementAndGet();
      return;
    }
    if (!log.isLoggable(Level.INFO)) {
      return;
    }
    long dropped = suppressed.getAndSet(0);
    log.info(oneLine(line) + (dropped > 0 ? " (" + dropped + " similar lines suppressed)" : ""));
  }

  static String oneLine(String text) {
    String s = text == null ? "null" : text;
    int nl = s.indexOf('\n');
    if (nl >= 0) {
      s = s.substring(0, nl);
    }
    return s.length() > 300 ? s.substring(0, 300) + "..." : s;
  }
}
