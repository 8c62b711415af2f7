package io.tessera.tensor;

import io.tessera.core.ServingException;
import io.tessera.nativebridge.HostBuffer;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Appends decoded values straight into the aligned native buffer that TensorFlow will read, in
 * row-major order, converting each value to the target dtype. Grows by doubling when a capacity
 * estimate was too small. Owns its buffer until {@link #build} hands it to the InputTensor, or
 * {@link #close()} frees it (safe after build). Confined to one thread.
 */
public final class TensorBuilder implements AutoCloseable {
  private final DataType dtype;
  private final List<byte[]> strings;
  private HostBuffer buffer;
  private ByteBuffer out;
  private long count;

  private TensorBuilder(DataType dtype, long capacityElements) {
    this.dtype = dtype;
    if (dtype.isString()) {
      this.strings = new ArrayList<>();
    } else {
      this.strings = null;
      allocate(Math.max(capacityElements, 16) * dtype.byteSize());
    }
  }

  /** @param capacityElements expected element count (a guess; the builder grows if needed) */
  public static TensorBuilder create(DataType dtype, long capacityElements) {
    return new TensorBuilder(dtype, capacityElements);
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
    strings.add(v);
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

  /** Hands the data to a new InputTensor; this builder must not be used afterwards. */
  public InputTensor build(long[] shape) {
    long expected = Shapes.elementCount(shape);
    if (expected != count) {
      throw ServingException.invalidArgument("Input to reshape is a tensor with " + count
          + " values, but the requested shape has " + expected);
    }
    if (strings != null) {
      return InputTensor.strings(shape, strings);
    }
    HostBuffer owned = buffer;
    buffer = null;
    return InputTensor.dense(dtype, shape, owned, 0, count * dtype.byteSize());
  }

  @Override
  public void close() {
    if (buffer != null) {
      buffer.close();
      buffer = null;
    }
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
      long grown = Math.max(needed, Math.min((long) Integer.MAX_VALUE, out.capacity() * 2L));
      if (needed > Integer.MAX_VALUE) {
        throw new ServingException(io.tessera.core.StatusCode.RESOURCE_EXHAUSTED,
            "tensor larger than 2 GiB");
      }
      HostBuffer old = buffer;
      ByteBuffer previous = out;
      allocate(grown);
      previous.flip();
      out.put(previous);
      old.close();
    }
  }

  private void allocate(long bytes) {
    buffer = HostBuffer.allocate(bytes);
    out = buffer.data().duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN);
  }
}
