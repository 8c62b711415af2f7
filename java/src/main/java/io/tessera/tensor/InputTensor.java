package io.tessera.tensor;

import com.google.protobuf.ByteString;
import io.tessera.admission.MemoryBudget;
import io.tessera.nativebridge.HostBuffer;
import io.tessera.nativebridge.RunCall;
import io.tessera.proto.tf.TensorProto;
import io.tessera.proto.tf.TensorShapeProto;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A request tensor ready to feed: dense data in a 64-byte-aligned {@link HostBuffer} (fed to
 * TensorFlow without a copy) or DT_STRING elements packed in one direct buffer.
 *
 * <p>Owns its HostBuffer and, when built by a {@link TensorBuilder}, the memory-budget reservation
 * for its bytes; {@link #close()} releases both (TensorFlow keeps its own reference to the buffer
 * while it still uses the memory). A {@link SharedHostBuffer#view} owns one reference of that
 * buffer instead, returned once by close(). Confined to the request's thread.
 */
public final class InputTensor implements AutoCloseable {
  private final DataType dtype;
  private final long[] shape;
  private final HostBuffer buffer;
  private final long offset;
  private final long byteSize;
  private final ByteBuffer stringBlob;
  private final long[] stringLengths;
  private final MemoryBudget.Reservation reservation;
  private SharedHostBuffer shared;  // set (and then owed one release) for a view of a shared buffer

  private InputTensor(DataType dtype, long[] shape, HostBuffer buffer, long offset, long byteSize,
      ByteBuffer stringBlob, long[] stringLengths, MemoryBudget.Reservation reservation) {
    this.dtype = dtype;
    this.shape = shape;
    this.buffer = buffer;
    this.offset = offset;
    this.byteSize = byteSize;
    this.stringBlob = stringBlob;
    this.stringLengths = stringLengths;
    this.reservation = reservation;
  }

  /** Takes ownership of {@code buffer}; the tensor's bytes are {@code [offset, offset+byteSize)}. */
  public static InputTensor dense(DataType dtype, long[] shape, HostBuffer buffer, long offset, long byteSize) {
    return dense(dtype, shape, buffer, offset, byteSize, null);
  }

  /** As {@link #dense(DataType, long[], HostBuffer, long, long)}, also taking over {@code reservation}. */
  static InputTensor dense(DataType dtype, long[] shape, HostBuffer buffer, long offset, long byteSize,
      MemoryBudget.Reservation reservation) {
    if (dtype.isString()) {
      throw new IllegalArgumentException("DT_STRING tensors are built with strings()");
    }
    if (Shapes.elementCount(shape) * dtype.byteSize() != byteSize) {
      buffer.close();
      if (reservation != null) {
        reservation.close();
      }
      throw new IllegalArgumentException("byte size " + byteSize + " does not match "
          + dtype + Shapes.toString(shape));
    }
    return new InputTensor(dtype, shape, buffer, offset, byteSize, null, null, reservation);
  }

  /**
   * A view of {@code shared}'s bytes (no copy, no reservation: the buffer's creator charged them);
   * the caller then gives this tensor one reference of {@code shared}, returned by close().
   */
  static InputTensor view(DataType dtype, long[] shape, SharedHostBuffer shared, long offset, long byteSize) {
    if (dtype.isString() || Shapes.elementCount(shape) * dtype.byteSize() != byteSize) {
      throw new IllegalArgumentException("byte size " + byteSize + " does not match " + dtype + Shapes.toString(shape));
    }
    InputTensor view = new InputTensor(dtype, shape, shared.buffer(), offset, byteSize, null, null, null);
    view.shared = shared;
    return view;
  }

  public static InputTensor strings(long[] shape, List<byte[]> elements) {
    return strings(shape, elements, null);
  }

  /** As {@link #strings(long[], List)}, also taking over {@code reservation}. */
  static InputTensor strings(long[] shape, List<byte[]> elements, MemoryBudget.Reservation reservation) {
    if (Shapes.elementCount(shape) != elements.size()) {
      if (reservation != null) {
        reservation.close();
      }
      throw new IllegalArgumentException(elements.size() + " strings do not fill shape "
          + Shapes.toString(shape));
    }
    long total = 0;
    long[] lengths = new long[elements.size()];
    for (int i = 0; i < lengths.length; i++) {
      lengths[i] = elements.get(i).length;
      total += lengths[i];
    }
    ByteBuffer blob = ByteBuffer.allocateDirect(Math.toIntExact(Math.max(total, 1)));
    for (byte[] e : elements) {
      blob.put(e);
    }
    blob.flip();
    return new InputTensor(DataType.DT_STRING, shape, null, 0, total, blob, lengths, reservation);
  }

  public DataType dtype() {
    return dtype;
  }

  public long[] shape() {
    return shape.clone();
  }

  public int rank() {
    return shape.length;
  }

  public long dim(int i) {
    return shape[i];
  }

  /** Payload bytes (dense data, or the sum of string lengths). */
  public long byteSize() {
    return byteSize;
  }

  /**
   * A read-only little-endian view of a dense tensor's bytes (tests, diagnostics), valid until
   * {@link #close()}.
   */
  public ByteBuffer denseData() {
    if (buffer == null) {
      throw new IllegalStateException("a " + dtype + " tensor has no dense data");
    }
    ByteBuffer view = buffer.data().duplicate();
    view.position((int) offset).limit((int) (offset + byteSize));
    return view.slice().asReadOnlyBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN);
  }

  /** The native address of a dense tensor's first byte (alignment and no-copy checks). */
  public long dataAddress() {
    if (buffer == null) {
      throw new IllegalStateException("a " + dtype + " tensor has no dense data");
    }
    return buffer.address() + offset;
  }

  /**
   * A copy of the tensor as a TensorProto (dense data as tensor_content, strings as string_val),
   * for request logs. Call while the tensor is open.
   */
  public TensorProto toProto() {
    TensorProto.Builder p = TensorProto.newBuilder().setDtypeValue(dtype.number());
    TensorShapeProto.Builder dims = TensorShapeProto.newBuilder();
    for (long d : shape) {
      dims.addDimBuilder().setSize(d);
    }
    p.setTensorShape(dims);
    if (dtype.isString()) {
      ByteBuffer blob = stringBlob.duplicate();
      for (long length : stringLengths) {
        p.addStringVal(ByteString.copyFrom(blob, (int) length));
      }
      return p.build();
    }
    ByteBuffer bytes = buffer.data().duplicate();
    bytes.position(Math.toIntExact(offset)).limit(Math.toIntExact(offset + byteSize));
    return p.setTensorContent(ByteString.copyFrom(bytes)).build();
  }

  /** Adds this tensor as the feed for {@code endpoint}. */
  public void feed(RunCall call, int endpoint) {
    if (dtype.isString()) {
      call.addStringInput(endpoint, shape, stringBlob, stringLengths);
    } else {
      call.addInput(endpoint, dtype.number(), shape, buffer, offset, byteSize);
    }
  }

  @Override
  public void close() {
    if (shared != null) {
      SharedHostBuffer owed = shared;
      shared = null;
      owed.release();
      return;
    }
    if (buffer != null) {
      buffer.close();
    }
    if (reservation != null) {
      reservation.close();
    }
  }
}
