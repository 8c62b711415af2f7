package io.tessera.tensor;

import io.tessera.admission.MemoryBudget;
import io.tessera.nativebridge.HostBuffer;
import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Appends decoded values straight into the aligned native buffer that TensorFlow will read, in
 * row-major order, converting each value to the target dtype. Grows by doubling when a capacity
 * estimate was too small. Owns its buffer until {@link #build} hands it to the InputTensor, or
 * {@link #close()} frees it (safe after build). Confined to one thread.
 *
 * <p>Every byte it holds is first reserved on {@link MemoryBudget#process()}: a dense buffer's
 * capacity (while growing, the old and the new buffer both), and for DT_STRING each element's
 * length plus {@link #STRING_ELEMENT_OVERHEAD} (its length slot in the packed tensor and its list
 * slot here; a repeated element counts every time). A reservation that does not fit fails with
 * RESOURCE_EXHAUSTED before anything is allocated. The reservation moves to the InputTensor with
 * the data and is returned when that is closed, or by {@link #close()} if it never was built. A
 * tensor holds at most {@link #MAX_TENSOR_BYTES} (the direct-buffer limit).
 */
public final class TensorBuilder implements AutoCloseable {
  /** Bytes counted per DT_STRING element besides its own bytes. */
  public static final int STRING_ELEMENT_OVERHEAD = 16;
  /** The largest dense buffer or packed string data of one tensor. */
  public static final long MAX_TENSOR_BYTES = Integer.MAX_VALUE;
  private static final String WHAT = "input tensor";

  private final DataType dtype;
  private final List<byte[]> strings;
  private MemoryBudget.Reservation reservation = MemoryBudget.Reservation.empty();
  private HostBuffer buffer;
  private ByteBuffer out;
  private long count;
  private long stringBytes;

  private TensorBuilder(DataType dtype, long capacityElements) {
    this.dtype = dtype;
    if (dtype.isString()) {
      this.strings = new ArrayList<>();
    } else {
      this.strings = null;
      long bytes = Math.max(capacityElements, 16) * dtype.byteSize();
      if (capacityElements > MAX_TENSOR_BYTES || bytes > MAX_TENSOR_BYTES) {
        throw tooLarge(Math.max(capacityElements, bytes));
      }
      allocate(bytes);
    }
  }

  /**
   * @param capacityElements expected element count (a guess; the builder grows if needed)
   * @throws ServingException RESOURCE_EXHAUSTED when the first buffer does not fit the budget
   */
  public static TensorBuilder create(DataType dtype, long capacityElements) {
    return new TensorBuilder(dtype, capacityElements);
  }

  /** Bytes this builder holds on the memory budget. */
  public long reservedBytes() {
    return reservation.bytes();
  }

  public DataType dtype() {
    return dtype;
  }

  public long count() {
    return count;
  }

  /** A JSON/proto integer value. */
  public void addLong(long v) {
    switch (dtype) {
      case DT_FLOAT -> room().putFloat((float) v);
      case DT_DOUBLE -> room().putDouble(v);
      case DT_HALF -> room().putShort(HalfFloats.toHalf((float) v));
      case DT_BFLOAT16 -> room().putShort(HalfFloats.toBfloat16((float) v));
      case DT_INT8, DT_UINT8 -> room().put((byte) v);
      case DT_INT16, DT_UINT16 -> room().putShort((short) v);
      case DT_INT32, DT_UINT32 -> room().putInt((int) v);
      case DT_INT64, DT_UINT64 -> room().putLong(v);
      case DT_COMPLEX64 -> room().putFloat((float) v).putFloat(0f);
      case DT_COMPLEX128 -> room().putDouble(v).putDouble(0d);
      default -> throw typeMismatch(Long.toString(v), "Number");
    }
    count++;
  }

  /** A JSON/proto decimal value (including NaN and infinities). */
  public void addDouble(double v) {
    switch (dtype) {
      case DT_FLOAT -> room().putFloat((float) v);
      case DT_DOUBLE -> room().putDouble(v);
      case DT_HALF -> room().putShort(HalfFloats.toHalf((float) v));
      case DT_BFLOAT16 -> room().putShort(HalfFloats.toBfloat16((float) v));
      case DT_COMPLEX64 -> room().putFloat((float) v).putFloat(0f);
      case DT_COMPLEX128 -> room().putDouble(v).putDouble(0d);
      default -> throw typeMismatch(Double.toString(v), "Number");
    }
    count++;
  }

  /**
   * {@code n} decimal values, as {@link #addDouble} each (the buffer grows at the same points),
   * converted in one loop per dtype.
   */
  public void addDoubles(double[] values, int n) {
    int size = dtype.byteSize();
    boolean dense = switch (dtype) {
      case DT_FLOAT, DT_DOUBLE, DT_HALF, DT_BFLOAT16 -> true;
      default -> false;
    };
    int i = 0;
    while (i < n) {
      int room = dense ? out.remaining() / size : 0;
      if (room == 0) {
        addDouble(values[i++]);
        continue;
      }
      int end = i + Math.min(room, n - i);
      switch (dtype) {
        case DT_FLOAT -> {
          for (int j = i; j < end; j++) {
            out.putFloat((float) values[j]);
          }
        }
        case DT_DOUBLE -> {
          for (int j = i; j < end; j++) {
            out.putDouble(values[j]);
          }
        }
        case DT_HALF -> {
          for (int j = i; j < end; j++) {
            out.putShort(HalfFloats.toHalf((float) values[j]));
          }
        }
        default -> {
          for (int j = i; j < end; j++) {
            out.putShort(HalfFloats.toBfloat16((float) values[j]));
          }
        }
      }
      count += end - i;
      i = end;
    }
  }

  public void addBool(boolean v) {
    if (dtype != DataType.DT_BOOL) {
      throw typeMismatch(Boolean.toString(v), v ? "True" : "False");
    }
    room().put((byte) (v ? 1 : 0));
    count++;
  }

  /** One DT_HALF / DT_BFLOAT16 element given as its raw 16 bits (TensorProto half_val). */
  public void addRawShort(short bits) {
    if (dtype != DataType.DT_HALF && dtype != DataType.DT_BFLOAT16) {
      throw typeMismatch(Short.toString(bits), "Number");
    }
    room().putShort(bits);
    count++;
  }

  /** One complex element (real, imaginary). */
  public void addComplex(double re, double im) {
    switch (dtype) {
      case DT_COMPLEX64 -> room().putFloat((float) re).putFloat((float) im);
      case DT_COMPLEX128 -> room().putDouble(re).putDouble(im);
      default -> throw typeMismatch("[" + re + ", " + im + "]", "Array");
    }
    count++;
  }

  public void addBytes(byte[] v) {
    if (strings == null) {
      throw typeMismatch("\"" + new String(v, java.nio.charset.StandardCharsets.UTF_8) + "\"", "String");
    }
    if (stringBytes + v.length > MAX_TENSOR_BYTES) {
      throw tooLarge(stringBytes + v.length);
    }
    reservation.grow(v.length + STRING_ELEMENT_OVERHEAD, WHAT);
    strings.add(v);
    stringBytes += v.length;
    count++;
  }

  /** Raw little-endian element bytes (e.g. a TensorProto's tensor_content). */
  public void addRaw(ByteBuffer littleEndianBytes) {
    if (strings != null || littleEndianBytes.remaining() % dtype.byteSize() != 0) {
      throw ServingException.invalidArgument("tensor_content size " + littleEndianBytes.remaining()
          + " is not a multiple of the " + dtype + " element size");
    }
    long n = littleEndianBytes.remaining() / dtype.byteSize();
    ensure(littleEndianBytes.remaining());
    out.put(littleEndianBytes);
    count += n;
  }

  /**
   * Hands the data (and its reservation) to a new InputTensor; this builder must not be used
   * afterwards. INVALID_ARGUMENT when {@code shape} fails {@link Shapes#checkedElementCount} or
   * does not match the values added.
   */
  public InputTensor build(long[] shape) {
    long expected = Shapes.checkedElementCount(shape);
    if (expected != count) {
      throw ServingException.invalidArgument("Input to reshape is a tensor with " + count
          + " values, but the requested shape has " + expected);
    }
    MemoryBudget.Reservation moved = reservation;
    reservation = MemoryBudget.Reservation.empty();
    if (strings != null) {
      return InputTensor.strings(shape, strings, moved);
    }
    HostBuffer owned = buffer;
    buffer = null;
    return InputTensor.dense(dtype, shape, owned, 0, count * dtype.byteSize(), moved);
  }

  @Override
  public void close() {
    if (buffer != null) {
      buffer.close();
      buffer = null;
    }
    reservation.close();
  }

  static ServingException tooLarge(long bytes) {
    return new ServingException(StatusCode.RESOURCE_EXHAUSTED, "input tensor needs " + bytes
        + " bytes, more than the " + MAX_TENSOR_BYTES + " bytes a tensor may hold");
  }

  private ServingException typeMismatch(String value, String jsonType) {
    return ServingException.invalidArgument("JSON Value: " + value + " Type: " + jsonType
        + " is not of expected type: " + TypeNames.jsonName(dtype));
  }

  private ByteBuffer room() {
    ensure(dtype.byteSize());
    return out;
  }

  private void ensure(long bytes) {
    if (out.remaining() < bytes) {
      long needed = out.position() + bytes;
      long grown = Math.max(needed, Math.min(MAX_TENSOR_BYTES, out.capacity() * 2L));
      if (needed > MAX_TENSOR_BYTES) {
        throw tooLarge(needed);
      }
      HostBuffer old = buffer;
      ByteBuffer previous = out;
      allocate(grown);
      previous.flip();
      out.put(previous);
      old.close();
      reservation.shrink(previous.capacity());
    }
  }

  /** Reserves, then allocates {@code bytes} as the current buffer (the caller frees the old one). */
  private void allocate(long bytes) {
    reservation.grow(bytes, WHAT);
    try {
      buffer = HostBuffer.allocate(bytes);
    } catch (RuntimeException e) {
      reservation.shrink(bytes);
      throw e;
    }
    out = buffer.data().duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN);
  }
}
