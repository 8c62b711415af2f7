package io.tessera.requestlog;

import com.google.protobuf.util.JsonFormat;
import io.tessera.proto.serving.PredictionLog;
import java.io.IOException;
import java.io.PrintStream;

/**
 * The {@code stdout_json} collector: one line per record, the PredictionLog in protobuf's JSON
 * mapping (bytes fields base64), for container log pipelines. Lines of different versions never
 * interleave (each line is one synchronized write).
 */
final class StdoutJsonCollector implements LogCollector {
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();
  private final PrintStream out;

  StdoutJsonCollector(PrintStream out) {
    this.out = out;
  }

  @Override
  public void collect(PredictionLog log) throws IOException {
    String line = PRINTER.print(log) + System.lineSeparator();
    synchronized (out) {
      out.print(line);
    }
    if (out.checkError()) {
      throw new IOException("standard output is not writable");
    }
  }

  @Override
  public void flush() {
    out.flush();
  }

  @Override
  public void close() {
    out.flush();
  }
}
