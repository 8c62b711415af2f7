package io.tessera.server;

import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** One-line log records on stderr ("I2026-11-24 18:00:00.123 logger] message"), like TF's. */
public final class LogSetup {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");

  private LogSetup() {}

  public static void configure() {
    Logger root = Logger.getLogger("");
    for (Handler h : root.getHandlers()) {
      root.removeHandler(h);
    }
    ConsoleHandler handler = new ConsoleHandler();
    handler.setFormatter(new Formatter() {
      @Override
      public String format(LogRecord r) {
        String name = r.getLoggerName() == null ? "" : r.getLoggerName();
        String shortName = name.substring(name.lastIndexOf('.') + 1);
        String text = LocalDateTime.now().format(TIME) + " " + shortName + "] " + formatMessage(r);
        String thrown = "";
        if (r.getThrown() != null) {
          java.io.StringWriter trace = new java.io.StringWriter();
          r.getThrown().printStackTrace(new java.io.PrintWriter(trace));
          thrown = "\n" + trace;
        }
        return level(r.getLevel()) + text + thrown + "\n";
      }
    });
    root.addHandler(handler);
    root.setLevel(Level.INFO);
  }

  private static char level(Level level) {
    if (level.intValue() >= Level.SEVERE.intValue()) {
      return 'E';
    }
    return level.intValue() >= Level.WARNING.intValue() ? 'W' : 'I';
  }
}
