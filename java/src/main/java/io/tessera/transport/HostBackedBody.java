package io.tessera.transport;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.tessera.tensor.SharedHostBuffer;
import java.nio.ByteBuffer;

/**
 * A request body of known length received straight into a 64-byte-aligned
 * {@link SharedHostBuffer}, placed so that body index {@code alignedAt} (where a binary part
 * begins) falls on a 64-byte boundary: input tensors that start there are views of the bytes as
 * the socket read them ({@link #hostOffset}).
 *
 * <p>Its capacity is fixed (the declared length). The ByteBuf holds one reference of the host
 * buffer and returns it when its own reference count drops to zero (Netty's usual release);
 * views taken meanwhile keep the memory alive until they are closed.
 */
public final class HostBackedBody extends UnpooledDirectByteBuf {
  private final SharedHostBuffer host;
  private final int start;

  private HostBackedBody(ByteBufAllocator alloc, ByteBuffer region, SharedHostBuffer host, int start) {
    super(alloc, region, region.remaining());
    this.host = host;
    this.start = start;
    clear();  // Netty's wrapping constructor marks the region as written
  }

  /** The host bytes a body of {@code length} needs when index {@code alignedAt} is to be aligned. */
  public static long hostBytes(int length, int alignedAt) {
    return padding(alignedAt) + (long) length;
  }

  /** An empty body of capacity {@code length}; the caller reserved {@link #hostBytes} for it. */
  public static HostBackedBody allocate(ByteBufAllocator alloc, int length, int alignedAt) {
    int pad = padding(alignedAt);
    SharedHostBuffer host = SharedHostBuffer.allocate(hostBytes(length, alignedAt));
    try {
      ByteBuffer region = host.data().duplicate().position(pad).limit(pad + length);
      return new HostBackedBody(alloc, region, host, pad);
    } catch (RuntimeException | Error e) {
      host.release();
      throw e;
    }
  }

  /** The shared buffer holding the bytes (for views; the body keeps its own reference). */
  public SharedHostBuffer host() {
    return host;
  }

  /** Where body index {@code index} lies in {@link #host()}. */
  public long hostOffset(int index) {
    return start + (long) index;
  }

  @Override
  protected void deallocate() {
    super.deallocate();
    host.release();
  }

  private static int padding(int alignedAt) {
    int rest = alignedAt % SharedHostBuffer.ALIGNMENT;
    return rest == 0 ? 0 : SharedHostBuffer.ALIGNMENT - rest;
  }
}
