package io.tessera.tensor;

import io.tessera.nativebridge.HostBuffer;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One 64-byte-aligned {@link HostBuffer} with several owners: whoever received bytes into it (a
 * request body) and the input tensors that are views of its parts ({@link #view}), so those bytes
 * are fed to TensorFlow where they arrived, without a copy.
 *
 * <p>Each owner holds one reference: {@link #allocate} returns the first, each view takes one and
 * gives it back when it is closed; {@link #release()} gives back the creator's. The last release
 * closes the HostBuffer (TensorFlow keeps its own native reference while a run still reads it).
 * Reference counting is thread-safe; write the bytes before making views of them.
 */
public final class SharedHostBuffer {
  public static final int ALIGNMENT = HostBuffer.ALIGNMENT;
  private static final AtomicLong VIEWED_BYTES = new AtomicLong();

  private final HostBuffer buffer;
  private final AtomicInteger references = new AtomicInteger(1);

  private SharedHostBuffer(HostBuffer buffer) {
    this.buffer = buffer;
  }

  /** Allocates {@code bytes} (at most Integer.MAX_VALUE); the caller holds the first reference. */
  public static SharedHostBuffer allocate(long bytes) {
    return new SharedHostBuffer(HostBuffer.allocate(bytes));
  }

  /** Little-endian view of the whole buffer (shared: duplicate() it to move a cursor). */
  public ByteBuffer data() {
    return buffer.data();
  }

  public long size() {
    return buffer.size();
  }

  /** The native address of byte 0 (64-byte aligned). */
  public long address() {
    return buffer.address();
  }

  /** True when a dense tensor may start at {@code offset} (the alignment TensorFlow feeds without a copy). */
  public static boolean viewable(long offset) {
    return offset % ALIGNMENT == 0;
  }

  /**
   * A tensor over {@code [offset, offset + byteSize)} of this buffer, holding its own reference
   * (returned by the tensor's close). {@code offset} must be {@link #viewable}.
   */
  public InputTensor view(DataType dtype, long[] shape, long offset, long byteSize) {
    if (!viewable(offset) || offset < 0 || byteSize < 0 || offset + byteSize > size()) {
      throw new IllegalArgumentException("no aligned view at [" + offset + ", +" + byteSize + ") of " + size()
          + " bytes");
    }
    InputTensor tensor = InputTensor.view(dtype, shape, this, offset, byteSize);  // checks the size first
    retain();
    VIEWED_BYTES.addAndGet(byteSize);
    return tensor;
  }

  /** Gives back one reference; the last one frees the buffer. */
  public void release() {
    int left = references.decrementAndGet();
    if (left == 0) {
      buffer.close();
    } else if (left < 0) {
      throw new IllegalStateException("shared host buffer released more often than referenced");
    }
  }

  /** Input bytes fed as views (never copied) since start, process-wide (tests, diagnostics). */
  public static long viewedBytes() {
    return VIEWED_BYTES.get();
  }

  HostBuffer buffer() {
    return buffer;
  }

  private void retain() {
    references.getAndUpdate(n -> {
      if (n <= 0) {
        throw new IllegalStateException("shared host buffer already freed");
      }
      return n + 1;
    });
  }
}
