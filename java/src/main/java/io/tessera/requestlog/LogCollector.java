package io.tessera.requestlog;

import io.tessera.proto.serving.PredictionLog;
import java.io.IOException;

/**
 * Where a {@link RequestLogger}'s records go. Called only from that logger's writer thread, so
 * implementations need not be thread-safe; {@link #close} is called once, after the last record.
 */
public interface LogCollector {
  /** Writes one record (buffered); a failure drops that record only. */
  void collect(PredictionLog log) throws IOException;

  /** Pushes buffered records out; called whenever the queue runs empty. */
  void flush() throws IOException;

  /** Flushes and releases the collector's files. */
  void close() throws IOException;
}
