package io.tessera.grpc;

import io.grpc.HasByteBuffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A read cursor over one protobuf message's bytes where the transport holds them (the chunks of
 * grpc-java's receive buffers, never joined into one array), with the few wire-format reads a
 * hand-written scanner needs. Anything malformed throws {@link Unusual}: the caller then parses the
 * message with the generated parser, whose errors are the ones clients get. Not thread-safe.
 */
final class MessageBytes {
  /** The message is not in the shape the scanner handles (or not well-formed). */
  static final class Unusual extends Exception {
    Unusual(String why) {
      super(why, null, false, false);
    }
  }

  private final ByteBuffer[] chunks;
  private int chunk;
  private long position;
  private final long length;

  private MessageBytes(List<ByteBuffer> chunks) {
    this.chunks = chunks.toArray(ByteBuffer[]::new);
    long total = 0;
    for (ByteBuffer b : this.chunks) {
      total += b.remaining();
    }
    this.length = total;
  }

  static MessageBytes of(ByteBuffer... chunks) {
    List<ByteBuffer> list = new ArrayList<>();
    for (ByteBuffer b : chunks) {
      list.add(b.duplicate());
    }
    return new MessageBytes(list);
  }

  /**
   * The views of every remaining byte of {@code stream}, which must be a {@link HasByteBuffer}
   * whose {@code mark} has been set (so the transport keeps the chunks read past alive until the
   * stream is reset or closed). The stream is left at its end.
   */
  static MessageBytes viewsOf(InputStream stream) throws IOException {
    List<ByteBuffer> views = new ArrayList<>();
    HasByteBuffer buffers = (HasByteBuffer) stream;
    while (stream.available() > 0) {
      ByteBuffer view = buffers.getByteBuffer();
      if (view == null || !view.hasRemaining()) {  // e.g. an empty chunk ahead: copy what is left
        views.add(ByteBuffer.wrap(stream.readAllBytes()));
        break;
      }
      views.add(view.duplicate());
      long skipped = stream.skip(view.remaining());
      if (skipped != view.remaining()) {
        throw new IOException("skipped " + skipped + " of " + view.remaining() + " bytes");
      }
    }
    return new MessageBytes(views);
  }

  long position() {
    return position;
  }

  long length() {
    return length;
  }

  boolean atEnd() {
    return position == length;
  }

  private ByteBuffer current() throws Unusual {
    while (chunk < chunks.length && !chunks[chunk].hasRemaining()) {
      chunk++;
    }
    if (chunk == chunks.length) {
      throw new Unusual("truncated message");
    }
    return chunks[chunk];
  }

  int readByte() throws Unusual {
    int b = current().get() & 0xff;
    position++;
    return b;
  }

  long readVarint() throws Unusual {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = readByte();
      value |= (long) (b & 0x7f) << shift;
      if (b < 0x80) {
        return value;
      }
    }
    throw new Unusual("malformed varint");
  }

  /** A field tag (never 0), as an int. */
  int readTag() throws Unusual {
    long tag = readVarint();
    if (tag == 0 || tag > Integer.MAX_VALUE || (tag >>> 3) == 0) {
      throw new Unusual("invalid tag " + tag);
    }
    return (int) tag;
  }

  /** A length prefix that fits in what is left of {@code end}. */
  long readLength(long end) throws Unusual {
    long n = readVarint();
    if (n < 0 || n > end - position) {
      throw new Unusual("length " + n + " beyond its message");
    }
    return n;
  }

  /** Copies the next {@code n} bytes into {@code target} (at its position). */
  void copyTo(ByteBuffer target, long n) throws Unusual {
    long left = n;
    while (left > 0) {
      ByteBuffer from = current();
      int step = (int) Math.min(left, from.remaining());
      ByteBuffer part = from.duplicate();
      part.limit(part.position() + step);
      target.put(part);
      from.position(from.position() + step);
      position += step;
      left -= step;
    }
  }

  /** Appends the next {@code n} bytes to {@code out}. */
  void copyTo(ByteArrayOutputStream out, long n) throws Unusual {
    byte[] step = new byte[(int) Math.min(n, 8192)];
    long left = n;
    while (left > 0) {
      ByteBuffer from = current();
      int k = (int) Math.min(Math.min(left, from.remaining()), step.length);
      from.get(step, 0, k);
      out.write(step, 0, k);
      position += k;
      left -= k;
    }
  }

  byte[] readBytes(int n) throws Unusual {
    byte[] bytes = new byte[n];
    copyTo(ByteBuffer.wrap(bytes), n);
    return bytes;
  }

  /** Skips one field's value of wire type {@code tag & 7}. */
  void skipValue(int tag, long end) throws Unusual {
    switch (tag & 7) {
      case 0 -> readVarint();
      case 1 -> skip(8, end);
      case 2 -> skip(readLength(end), end);
      case 5 -> skip(4, end);
      default -> throw new Unusual("group or invalid wire type in tag " + tag);
    }
  }

  /** Appends one field (its tag and value of wire type {@code tag & 7}) to {@code out}. */
  void copyField(int tag, long end, ByteArrayOutputStream out) throws Unusual {
    writeVarint(out, tag);
    switch (tag & 7) {
      case 0 -> writeVarint(out, readVarint());
      case 1 -> copyBounded(out, 8, end);
      case 2 -> {
        long n = readLength(end);
        writeVarint(out, n);
        copyTo(out, n);
      }
      case 5 -> copyBounded(out, 4, end);
      default -> throw new Unusual("group or invalid wire type in tag " + tag);
    }
  }

  private void copyBounded(ByteArrayOutputStream out, long n, long end) throws Unusual {
    if (n > end - position) {
      throw new Unusual("truncated field");
    }
    copyTo(out, n);
  }

  private void skip(long n, long end) throws Unusual {
    if (n > end - position) {
      throw new Unusual("truncated field");
    }
    long left = n;
    while (left > 0) {
      ByteBuffer from = current();
      int step = (int) Math.min(left, from.remaining());
      from.position(from.position() + step);
      position += step;
      left -= step;
    }
  }

  static void writeVarint(ByteArrayOutputStream out, long value) {
    long v = value;
    while ((v & ~0x7fL) != 0) {
      out.write((int) ((v & 0x7f) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }
}
