package io.tessera.tensor.json;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Byte-exact re-implementation of rapidjson 1.1.0's {@code PrettyWriter} (4-space indent) with its
 * {@code kFormatSingleLineArray} option, which TF Serving's REST responses and error texts use.
 * Buffers internally; with a null OutputStream everything stays in memory ({@link #text()}). A
 * writer to a stream takes its thread's spare buffer and {@link #finish} gives it back, so a
 * thread writing many responses allocates one buffer.
 */
final class RapidPrettyWriter {
  private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
  private static final int STREAM_BUFFER = 1 << 16;
  private static final ThreadLocal<byte[]> SPARE = new ThreadLocal<>();

  private final OutputStream out;
  private byte[] buf;
  private int pos;
  private long flushed;
  // level stack: inArray flag and value count per open container
  private boolean[] inArray = new boolean[16];
  private long[] valueCount = new long[16];
  private int depth;
  private boolean singleLineArray;

  RapidPrettyWriter(OutputStream out) {
    this.out = out;
    if (out == null) {
      buf = new byte[256];
    } else {
      buf = SPARE.get();
      SPARE.set(null);
      if (buf == null) {
        buf = new byte[STREAM_BUFFER];
      }
    }
  }

  /** Flushes and hands the buffer to the thread's next writer; this writer is done. */
  void finish() {
    flush();
    if (out != null && buf.length == STREAM_BUFFER) {
      SPARE.set(buf);
    }
    buf = null;
  }

  void setSingleLineArray(boolean on) {
    singleLineArray = on;
  }

  /** Bytes produced so far. */
  long size() {
    return flushed + pos;
  }

  String text() {
    return new String(buf, 0, pos, StandardCharsets.UTF_8);
  }

  void flush() {
    if (out != null && pos > 0) {
      try {
        out.write(buf, 0, pos);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      flushed += pos;
      pos = 0;
    }
  }

  void startObject() {
    prefix();
    push(false);
    put((byte) '{');
  }

  void endObject() {
    boolean empty = valueCount[--depth] == 0;
    if (!empty) {
      put((byte) '\n');
      indent();
    }
    put((byte) '}');
  }

  void startArray() {
    prefix();
    push(true);
    put((byte) '[');
  }

  void endArray() {
    boolean empty = valueCount[--depth] == 0;
    if (!empty && !singleLineArray) {
      put((byte) '\n');
      indent();
    }
    put((byte) ']');
  }

  void key(String name) {
    string(name.getBytes(StandardCharsets.UTF_8));
  }

  /** A JSON string of raw bytes, escaped as rapidjson does (no UTF-8 validation). */
  void string(byte[] s) {
    prefix();
    ensure(2 + s.length * 6);
    buf[pos++] = '"';
    for (byte b : s) {
      int c = b & 0xff;
      if (c >= 0x20 && c != '"' && c != '\\') {
        buf[pos++] = b;
      } else {
        buf[pos++] = '\\';
        switch (c) {
          case '"' -> buf[pos++] = '"';
          case '\\' -> buf[pos++] = '\\';
          case 0x08 -> buf[pos++] = 'b';
          case 0x09 -> buf[pos++] = 't';
          case 0x0a -> buf[pos++] = 'n';
          case 0x0c -> buf[pos++] = 'f';
          case 0x0d -> buf[pos++] = 'r';
          default -> {
            buf[pos++] = 'u';
            buf[pos++] = '0';
            buf[pos++] = '0';
            buf[pos++] = HEX[c >> 4];
            buf[pos++] = HEX[c & 15];
          }
        }
      }
    }
    buf[pos++] = '"';
  }

  /** A number (or NaN/Infinity token) given as text. */
  void rawNumber(String text) {
    prefix();
    ascii(text);
  }

  /** A float as TF Serving writes it ({@link FloatText#appendFloat}). */
  void floatValue(float f) {
    prefix();
    ensure(FloatText.MAX_FLOAT_BYTES);
    pos = FloatText.appendFloat(buf, pos, f);
  }

  void longValue(long v) {
    prefix();
    ascii(Long.toString(v));
  }

  void unsignedLongValue(long v) {
    prefix();
    ascii(Long.toUnsignedString(v));
  }

  void bool(boolean v) {
    prefix();
    ascii(v ? "true" : "false");
  }

  void nullValue() {
    prefix();
    ascii("null");
  }

  private void prefix() {
    if (depth == 0) {
      return;
    }
    int top = depth - 1;
    long count = valueCount[top];
    if (inArray[top]) {
      if (count > 0) {
        put((byte) ',');
        if (singleLineArray) {
          put((byte) ' ');
        }
      }
      if (!singleLineArray) {
        put((byte) '\n');
        indent();
      }
    } else {
      if (count > 0) {
        if (count % 2 == 0) {
          put((byte) ',');
          put((byte) '\n');
        } else {
          put((byte) ':');
          put((byte) ' ');
        }
      } else {
        put((byte) '\n');
      }
      if (count % 2 == 0) {
        indent();
      }
    }
    valueCount[top] = count + 1;
  }

  private void push(boolean array) {
    if (depth == inArray.length) {
      inArray = Arrays.copyOf(inArray, depth * 2);
      valueCount = Arrays.copyOf(valueCount, depth * 2);
    }
    inArray[depth] = array;
    valueCount[depth] = 0;
    depth++;
  }

  private void indent() {
    int n = depth * 4;
    ensure(n);
    Arrays.fill(buf, pos, pos + n, (byte) ' ');
    pos += n;
  }

  private void ascii(String s) {
    int n = s.length();
    ensure(n);
    for (int i = 0; i < n; i++) {
      buf[pos++] = (byte) s.charAt(i);
    }
  }

  private void put(byte b) {
    ensure(1);
    buf[pos++] = b;
  }

  private void ensure(int n) {
    if (buf.length - pos >= n) {
      return;
    }
    if (out != null) {
      flush();
      if (buf.length >= n) {
        return;
      }
    }
    buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
  }
}
