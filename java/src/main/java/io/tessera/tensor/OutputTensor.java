package io.tessera.tensor;

import io.tessera.nativebridge.RunCall;
import java.nio.ByteBuffer;

/**
 * A read-only view of one fetched tensor, in TensorFlow's own memory (no copy). Valid only while
 * the run result that produced it is open; encoders (JSON, TensorProto) read it in place.
 */
public final class OutputTensor {
  private final String alias;
  private final DataType dtype;
  private final long[] shape;
  private final ByteBuffer data;
  private final RunCall call;
  private final int index;

  public OutputTensor(String alias, DataType dtype, long[] shape, ByteBuffer data, RunCall call, int index) {
    this.alias = alias;
    this.dtype = dtype;
    this.shape = shape;
    this.data = data;
    this.call = call;
    this.index = index;
  }

  /** The signature's output name (what REST and gRPC responses are keyed by). */
  public String alias() {
    return alias;
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

  public long dim(int d) {
    return shape[d];
  }

  public long elementCount() {
    return Shapes.elementCount(shape);
  }

  /** Little-endian element bytes for dense dtypes (position 0). */
  public ByteBuffer data() {
    return data.duplicate().order(data.order());
  }

  public float getFloat(long i) {
    return data.getFloat(Math.toIntExact(i * 4));
  }

  public double getDouble(long i) {
    return data.getDouble(Math.toIntExact(i * 8));
  }

  /** Element i of any integer or bool dtype, widened; unsigned types are zero-extended. */
  public long getLong(long i) {
    int at = Math.toIntExact(i * dtype.byteSize());
    return switch (dtype) {
      case DT_INT8 -> data.get(at);
      case DT_UINT8, DT_BOOL -> data.get(at) & 0xffL;
      case DT_INT16 -> data.getShort(at);
      case DT_UINT16 -> data.getShort(at) & 0xffffL;
      case DT_INT32 -> data.getInt(at);
      case DT_UINT32 -> data.getInt(at) & 0xffffffffL;
      case DT_INT64, DT_UINT64 -> data.getLong(at);
      default -> throw new IllegalStateException("not an integer dtype: " + dtype);
    };
  }

  /** Element i of DT_HALF / DT_BFLOAT16 as a float. */
  public float getHalfAsFloat(long i) {
    short bits = data.getShort(Math.toIntExact(i * 2));
    return dtype == DataType.DT_HALF ? HalfFloats.fromHalf(bits) : HalfFloats.fromBfloat16(bits);
  }

  /** Element i of a DT_STRING output (copied). */
  public byte[] getString(long i) {
    return call.outputString(index, i);
  }
}
