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
 * <p>Ownership: the stream owns every chunk until {@link #finish()} hands them over as one
 * {@link CompositeByteBuf} (then the caller owns it: written, Netty releases it); a stream that
 * is not finished must be {@link #release()}d. Not thread-safe; one worker renders one answer.
 */
final class ChunkedBodyStream extends OutputStream {
  static final int FIRST_CHUNK_BYTES = 8 << 10;
  static final int MAX_CHUNK_BYTES = 256 << 10;

  private final ByteBufAllocator alloc;
  private final CompositeByteBuf body;
  private ByteBuf last;  // the chunk being filled, not yet in body
  private boolean finished;

  ChunkedBodyStream(ByteBufAllocator alloc) {
    this.alloc = alloc;
    this.body = alloc.compositeDirectBuffer(Integer.MAX_VALUE);
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
      body.addComponent(true, last);
      last = null;
    }
    if (last == null) {
      int size = Math.min(MAX_CHUNK_BYTES, Math.max(FIRST_CHUNK_BYTES, body.readableBytes()));
      last = alloc.directBuffer(size, size);
    }
    return last;
  }

  /** The body written so far; the caller owns it from now on. */
  ByteBuf finish() {
    finished = true;
    if (last != null) {
      body.addComponent(true, last);
      last = null;
    }
    return body;
  }

  /** Frees an unfinished body (idempotent; a no-op once finished). */
  void release() {
    if (finished) {
      return;
    }
    finished = true;
    if (last != null) {
      last.release();
      last = null;
    }
    body.release();
  }
}
