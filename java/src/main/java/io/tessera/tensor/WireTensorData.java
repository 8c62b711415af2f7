package io.tessera.tensor;

import io.tessera.admission.MemoryBudget;
import io.tessera.nativebridge.HostBuffer;
import java.nio.ByteBuffer;

/**
 * The element bytes of one TensorProto field that a transport copied straight out of its receive
 * buffers into a 64-byte-aligned {@link HostBuffer}, instead of into a ByteString: {@code
 * tensor_content}, or a packed fixed-width typed field ({@code float_val}, {@code double_val},
 * {@code scomplex_val}, {@code dcomplex_val}), whose wire bytes are the tensor's little-endian
 * elements. The TensorProto it belongs to is passed alongside with that field left out (see
 * {@link TensorProtoCodec#decode(String, TensorProto, WireTensorData)}).
 *
 * <p>Owns its buffer and the memory-budget reservation for it until the codec moves both into an
 * InputTensor or {@link #close()} returns them (idempotent). Confined to one thread at a time.
 */
public final class WireTensorData implements AutoCloseable {
  /** TensorProto field numbers whose bytes may be carried here. */
  public static final int TENSOR_CONTENT = 4;
  public static final int FLOAT_VAL = 5;
  public static final int DOUBLE_VAL = 6;
  public static final int SCOMPLEX_VAL = 9;
  public static final int DCOMPLEX_VAL = 12;
  private static final String WHAT = "input tensor";

  private final int field;
  private final long size;
  private final int protoWireSize;
  private HostBuffer buffer;
  private MemoryBudget.Reservation reservation;

  private WireTensorData(int field, long size, int protoWireSize, HostBuffer buffer,
      MemoryBudget.Reservation reservation) {
    this.field = field;
    this.size = size;
    this.protoWireSize = protoWireSize;
    this.buffer = buffer;
    this.reservation = reservation;
  }

  /** True for the field numbers this class carries. */
  public static boolean carries(int field) {
    return field == TENSOR_CONTENT || field == FLOAT_VAL || field == DOUBLE_VAL || field == SCOMPLEX_VAL
        || field == DCOMPLEX_VAL;
  }

  /**
   * Reserves and allocates {@code size} bytes for {@code field} of a TensorProto that had
   * {@code protoWireSize} bytes on the wire (the fill bound is computed from that size).
   *
   * @throws io.tessera.status.ServingException RESOURCE_EXHAUSTED when the budget is full, or the
   *     size is above {@link TensorBuilder#MAX_TENSOR_BYTES}
   */
  public static WireTensorData allocate(int field, long size, int protoWireSize) {
    if (!carries(field)) {
      throw new IllegalArgumentException("not a dense TensorProto field: " + field);
    }
    if (size > TensorBuilder.MAX_TENSOR_BYTES) {
      throw TensorBuilder.tooLarge(size);
    }
    MemoryBudget.Reservation reservation = MemoryBudget.process().reserve(size, WHAT);
    try {
      return new WireTensorData(field, size, protoWireSize, HostBuffer.allocate(size), reservation);
    } catch (RuntimeException e) {
      reservation.close();
      throw e;
    }
  }

  /** The TensorProto field number the bytes came from. */
  public int field() {
    return field;
  }

  public long size() {
    return size;
  }

  /** Wire size of the whole TensorProto, this field included. */
  public int protoWireSize() {
    return protoWireSize;
  }

  /** A little-endian view to write the bytes into (position 0, limit = size). */
  public ByteBuffer target() {
    return buffer.data().duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN);
  }

  /** Whether these bytes are the typed values TensorFlow reads for {@code dtype}. */
  boolean typedValuesOf(DataType dtype) {
    return switch (field) {
      case FLOAT_VAL -> dtype == DataType.DT_FLOAT;
      case DOUBLE_VAL -> dtype == DataType.DT_DOUBLE;
      case SCOMPLEX_VAL -> dtype == DataType.DT_COMPLEX64;
      case DCOMPLEX_VAL -> dtype == DataType.DT_COMPLEX128;
      default -> false;
    };
  }

  /** A read view for the codec. */
  ByteBuffer view() {
    return buffer.data();
  }

  /** Moves the buffer and reservation into an InputTensor of {@code byteSize} leading bytes. */
  InputTensor moveInto(DataType dtype, long[] shape, long byteSize) {
    HostBuffer moved = buffer;
    MemoryBudget.Reservation reserved = reservation;
    buffer = null;
    reservation = null;
    return InputTensor.dense(dtype, shape, moved, 0, byteSize, reserved);
  }

  @Override
  public void close() {
    if (buffer != null) {
      buffer.close();
      buffer = null;
    }
    if (reservation != null) {
      reservation.close();
      reservation = null;
    }
  }
}
