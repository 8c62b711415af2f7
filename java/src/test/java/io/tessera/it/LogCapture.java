package io.tessera.it;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Collects the messages Tessera logs while open (tests that check what the server reported). */
final class LogCapture extends Handler implements AutoCloseable {
  private static final Logger ROOT = Logger.getLogger("io.tessera");
  private final List<String> messages = new CopyOnWriteArrayList<>();

  LogCapture() {
    ROOT.addHandler(this);
  }

  /** How many messages so far contain {@code fragment}. */
  long count(String fragment) {
    return messages.stream().filter(m -> m != null && m.contains(fragment)).count();
  }

  /** The first message starting with {@code prefix}, or "none". */
  String first(String prefix) {
    return messages.stream().filter(m -> m != null && m.startsWith(prefix)).findFirst().orElse("none");
  }

  @Override
  public String toString() {
    return messages.toString();
  }

  @Override
  public void publish(LogRecord record) {
    messages.add(record.getMessage());
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    ROOT.removeHandler(this);
  }
}
