package io.tessera.nativebridge;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bytedeco.javacpp.BytePointer;

/**
 * 64-byte-aligned native memory that becomes TensorFlow input tensors without a copy.
 *
 * <p>The native buffer is reference-counted: this handle holds one reference and every tensor
 * TensorFlow builds over it holds another, so closing the handle while TensorFlow still uses the
 * memory is safe. {@link #data()} is a little-endian direct view, valid until {@link #close()}.
 * Not thread-safe for writes; one request owns a buffer.
 */
public final class HostBuffer extends NativeHandle<TesseraNative.NativeHostBuffer> {
  public static final int ALIGNMENT = 64;

  private final ByteBuffer data;
  private final long size;

  private HostBuffer(TesseraNative.NativeHostBuffer pointer, long size) {
    super(pointer, TesseraNative::host_buffer_unref);
    this.size = size;
    BytePointer bytes = new BytePointer(TesseraNative.host_buffer_data(pointer));
    this.data = bytes.capacity(size).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Allocates {@code bytes} bytes (at most Integer.MAX_VALUE, the direct-buffer limit). */
  public static HostBuffer allocate(long bytes) {
    if (bytes < 0 || bytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("host buffer size out of range: " + bytes);
    }
    TesseraNative.ensureLoaded();
    return new HostBuffer(NativeErrors.checkNotNull(TesseraNative.host_buffer_create(bytes)), bytes);
  }

  /** Rounds {@code offset} up to the tensor alignment. */
  public static long align(long offset) {
    return (offset + ALIGNMENT - 1) & -ALIGNMENT;
  }

  /** Little-endian view of the whole buffer (position 0, limit = size). Shared: duplicate() it to move a cursor. */
  public ByteBuffer data() {
    pointer();
    return data;
  }

  public long size() {
    return size;
  }

  TesseraNative.NativeHostBuffer nativeBuffer() {
    return pointer();
  }

  /** Bytes held by live native host buffers, process-wide (freed only when TensorFlow is done too). */
  public static long liveBytes() {
    TesseraNative.ensureLoaded();
    return TesseraNative.live_host_buffer_bytes();
  }

  /** "cuda-pinned" when CUDA is usable (page-locked staging for GPU copies), else "aligned-host". */
  public static String allocatorName() {
    TesseraNative.ensureLoaded();
    return TesseraNative.host_allocator_name();
  }

  /** Why that allocator was chosen (logged at start-up). */
  public static String allocatorReason() {
    TesseraNative.ensureLoaded();
    return TesseraNative.host_allocator_reason();
  }

  /** The native address of the data (alignment checks). */
  public long address() {
    return TesseraNative.host_buffer_data(pointer()).address();
  }
}
