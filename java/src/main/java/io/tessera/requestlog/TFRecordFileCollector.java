package io.tessera.requestlog;

import io.tessera.proto.serving.PredictionLog;
import io.tessera.servables.warmup.TFRecordReader;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code file} collector: TFRecord files of serialized PredictionLog (the warmup file format),
 * named {@code <filename_prefix>.<version>.<yyyyMMdd-HHmmss>.<pid>-<n>.tfrecord} and rotated
 * before a file would pass the size limit (a record larger than the limit gets a file of its
 * own). A file is created with the first record it holds. After a failed write the file is
 * abandoned and the next record starts a new one, so a torn record is only ever the last of its
 * file and every record before it still checks (TFRecord CRCs). Writer thread only.
 */
final class TFRecordFileCollector implements LogCollector {
  private static final AtomicLong FILES = new AtomicLong();
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

  private final String prefix;
  private final long version;
  private final long maxFileBytes;
  private OutputStream out;
  private long written;

  TFRecordFileCollector(String prefix, long version, long maxFileBytes) {
    this.prefix = prefix;
    this.version = version;
    this.maxFileBytes = maxFileBytes;
  }

  @Override
  public void collect(PredictionLog log) throws IOException {
    byte[] framed = TFRecordReader.frame(log.toByteArray());
    if (out == null || (written > 0 && written + framed.length > maxFileBytes)) {
      rotate();
    }
    try {
      out.write(framed);
      written += framed.length;
    } catch (IOException e) {
      abandon();
      throw e;
    }
  }

  @Override
  public void flush() throws IOException {
    if (out != null) {
      try {
        out.flush();
      } catch (IOException e) {
        abandon();
        throw e;
      }
    }
  }

  @Override
  public void close() throws IOException {
    if (out != null) {
      OutputStream closing = out;
      out = null;
      closing.close();
    }
  }

  private void rotate() throws IOException {
    close();
    String name = prefix + "." + version + "." + ZonedDateTime.now(ZoneOffset.UTC).format(STAMP) + "."
        + ProcessHandle.current().pid() + "-" + FILES.incrementAndGet() + ".tfrecord";
    out = new BufferedOutputStream(Files.newOutputStream(Path.of(name), StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE), 1 << 16);
    written = 0;
  }

  private void abandon() {
    try {
      close();
    } catch (IOException ignored) {
      // the file is already broken; the next record opens a new one
    }
  }
}
