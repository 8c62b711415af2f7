package io.tessera.tensor;

/**
 * TensorFlow dtypes Tessera moves across its APIs, numbered as {@code tensorflow.DataType} (and
 * TF_DataType). {@link #byteSize()} is the dense element size; DT_STRING has none.
 */
public enum DataType {
  DT_FLOAT(1, 4),
  DT_DOUBLE(2, 8),
  DT_INT32(3, 4),
  DT_UINT8(4, 1),
  DT_INT16(5, 2),
  DT_INT8(6, 1),
  DT_STRING(7, 0),
  DT_COMPLEX64(8, 8),
  DT_INT64(9, 8),
  DT_BOOL(10, 1),
  DT_BFLOAT16(14, 2),
  DT_UINT16(17, 2),
  DT_COMPLEX128(18, 16),
  DT_HALF(19, 2),
  DT_UINT32(22, 4),
  DT_UINT64(23, 8);

  private final int number;
  private final int byteSize;

  DataType(int number, int byteSize) {
    this.number = number;
    this.byteSize = byteSize;
  }

  public int number() {
    return number;
  }

  public int byteSize() {
    return byteSize;
  }

  public boolean isString() {
    return this == DT_STRING;
  }

  public boolean isFloating() {
    return this == DT_FLOAT || this == DT_DOUBLE || this == DT_HALF || this == DT_BFLOAT16;
  }

  public boolean isComplex() {
    return this == DT_COMPLEX64 || this == DT_COMPLEX128;
  }

  /** Returns null for dtypes Tessera does not serve (resource, variant, quantized, *_REF). */
  public static DataType forNumber(int number) {
    return number >= 0 && number < BY_NUMBER.length ? BY_NUMBER[number] : null;
  }

  /** Indexed by dtype number (runs on every output of every request: no values() copy). */
  private static final DataType[] BY_NUMBER = new DataType[DT_UINT64.number + 1];

  static {
    for (DataType t : values()) {
      BY_NUMBER[t.number] = t;
    }
  }
}
