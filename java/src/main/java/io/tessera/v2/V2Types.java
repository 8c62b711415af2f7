package io.tessera.v2;

import io.tessera.status.ServingException;
import io.tessera.tensor.DataType;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

/**
 * The protocol's tensor datatype names ({@code FP32}, {@code INT64}, {@code BYTES}, ...) and the
 * TensorFlow dtypes they stand for. TensorFlow's complex types have no v2 name: they are shown
 * by their TensorFlow name in metadata and cannot be sent. Pure.
 */
public final class V2Types {
  private static final Map<DataType, String> NAMES = new EnumMap<>(DataType.class);
  private static final Map<String, DataType> BY_NAME = new HashMap<>();

  static {
    name(DataType.DT_BOOL, "BOOL");
    name(DataType.DT_UINT8, "UINT8");
    name(DataType.DT_UINT16, "UINT16");
    name(DataType.DT_UINT32, "UINT32");
    name(DataType.DT_UINT64, "UINT64");
    name(DataType.DT_INT8, "INT8");
    name(DataType.DT_INT16, "INT16");
    name(DataType.DT_INT32, "INT32");
    name(DataType.DT_INT64, "INT64");
    name(DataType.DT_HALF, "FP16");
    name(DataType.DT_BFLOAT16, "BF16");
    name(DataType.DT_FLOAT, "FP32");
    name(DataType.DT_DOUBLE, "FP64");
    name(DataType.DT_STRING, "BYTES");
  }

  private V2Types() {}

  private static void name(DataType dtype, String name) {
    NAMES.put(dtype, name);
    BY_NAME.put(name, dtype);
  }

  /** The v2 name of a dtype (TensorFlow's own name for the complex types). */
  public static String name(DataType dtype) {
    return NAMES.getOrDefault(dtype, dtype.name());
  }

  /** The v2 name of a TensorFlow dtype number, or its number when Tessera cannot move it. */
  public static String name(int dtypeNumber) {
    DataType dtype = DataType.forNumber(dtypeNumber);
    return dtype == null ? "DT_" + dtypeNumber : name(dtype);
  }

  /**
   * The dtype a request's {@code datatype} names.
   *
   * @throws ServingException INVALID_ARGUMENT for an unknown name
   */
  public static DataType parse(String name, String input) {
    DataType dtype = BY_NAME.get(name);
    if (dtype == null) {
      throw ServingException.invalidArgument("invalid datatype '" + name + "' for input '" + input + "'");
    }
    return dtype;
  }
}
