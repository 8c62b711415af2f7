package io.tessera.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import java.io.OutputStream;

/**
 * An OutputStream that collects a response body in fixed-size direct chunks: a large JSON answer
 * is never re-copied as it grows (a single growing buffer is reallocated and copied at each step,
 * holding twice its size meanwhile), and the socket write gathers the chunks. Chunks double from
 * {@link #FIRST_CHUNK_BYTES} (a small answer takes one small buffer) to {@link #MAX_CHUNK_BYTES}.
 *
 * <p>Ownership: the stream owns every chunk until {@link #finish()} hands them over as one buffer
 * (the single chunk, or a {@link CompositeByteBuf} of them; then the caller owns it: written, Netty
 * releases it); a stream that is not finished must be {@link #release()}d. Not thread-safe; one worker renders one answer.
 */
final class ChunkedBodyStream extends OutputStream {
  static final int FIRST_CHUNK_BYTES = 8 << 10;
  static final int MAX_CHUNK_BYTES = 256 << 10;

  private final ByteBufAllocator alloc;
  private ByteBuf first;           // the only full chunk while the answer fits in one
  private CompositeByteBuf body;   // created with the second full chunk (most answers never need it)
  private ByteBuf last;            // the chunk being filled, not yet in first/body
  private boolean finished;

  ChunkedBodyStream(ByteBufAllocator alloc) {
    this.alloc = alloc;
  }

  @Override
  public void write(int b) {
    room().writeByte(b);
  }

  @Override
  public void write(byte[] src, int off, int len) {
    while (len > 0) {
      ByteBuf chunk = room();
      int n = Math.min(len, chunk.writableBytes());
      chunk.writeBytes(src, off, n);
      off += n;
      len -= n;
    }
  }

  private ByteBuf room() {
    if (last != null && !last.isWritable()) {
      keep(last);
      last = null;
    }
    if (last == null) {
      long written = body != null ? body.readableBytes() : first != null ? first.readableBytes() : 0;
      int size = (int) Math.min(MAX_CHUNK_BYTES, Math.max(FIRST_CHUNK_BYTES, written));
      last = alloc.directBuffer(size, size);
    }
    return last;
  }

  /** Appends a filled chunk: the first is kept as it is, a second one starts the composite. */
  private void keep(ByteBuf chunk) {
    if (body == null && first == null) {
      first = chunk;
      return;
    }
    if (body == null) {
      body = alloc.compositeDirectBuffer(Integer.MAX_VALUE);
      body.addComponent(true, first);
      first = null;
    }
    body.addComponent(true, chunk);
  }

  /** The body written so far (one chunk, or a composite of several); the caller owns it from now on. */
  ByteBuf finish() {
    finished = true;
    if (last != null) {
      keep(last);
      last = null;
    }
    return body != null ? body : first != null ? first : alloc.directBuffer(0, 0);
  }

  /** Frees an unfinished body (idempotent; a no-op once finished). */
  void release() {
    if (finished) {
      return;
    }
    finished = true;
    for (ByteBuf b : new ByteBuf[] {last, first, body}) {
      if (b != null) {
        b.release();
      }
    }
    last = null;
    first = null;
    body = null;
  }
}
