package io.tessera.tensor.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Reads a request body held in a {@link ByteBuffer} (direct, as the REST transport aggregates it,
 * or heap) without copying it whole: Jackson parses a heap buffer's array in place and streams a
 * direct buffer through a small chunk buffer. Byte offsets reported by the parser are relative to
 * the buffer's position. Never changes the caller's buffer (works on duplicates); the buffer must
 * stay valid and unchanged while a parser made from it is used.
 */
public final class BufferInput {
  private BufferInput() {}

  /** A parser over {@code body}'s remaining bytes. */
  public static JsonParser parser(JsonFactory factory, ByteBuffer body) throws IOException {
    if (body.hasArray()) {
      return factory.createParser(body.array(), body.arrayOffset() + body.position(), body.remaining());
    }
    return factory.createParser(new Stream(body.duplicate()));
  }

  /** At most the first {@code maxBytes} bytes of {@code body} as UTF-8 text (for error messages). */
  public static String prefix(ByteBuffer body, int maxBytes) {
    ByteBuffer b = body.duplicate();
    b.limit(b.position() + Math.min(b.remaining(), maxBytes));
    return StandardCharsets.UTF_8.decode(b).toString();
  }

  /** An InputStream over a buffer it owns (a duplicate): reading advances only that duplicate. */
  private static final class Stream extends InputStream {
    private final ByteBuffer b;

    Stream(ByteBuffer b) {
      this.b = b;
    }

    @Override
    public int read() {
      return b.hasRemaining() ? b.get() & 0xff : -1;
    }

    @Override
    public int read(byte[] dst, int off, int len) {
      if (len == 0) {
        return 0;
      }
      if (!b.hasRemaining()) {
        return -1;
      }
      int n = Math.min(len, b.remaining());
      b.get(dst, off, n);
      return n;
    }

    @Override
    public int available() {
      return b.remaining();
    }

    @Override
    public long skip(long n) {
      int k = (int) Math.max(0, Math.min(n, b.remaining()));
      b.position(b.position() + k);
      return k;
    }
  }
}
