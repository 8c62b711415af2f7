package io.tessera.tensor;

/** Type names as TF Serving's JSON errors print them (DataTypeString without the DT_ prefix). */
public final class TypeNames {
  private TypeNames() {}

  public static String jsonName(DataType dtype) {
    return switch (dtype) {
      case DT_HALF -> "half";
      case DT_BFLOAT16 -> "bfloat16";
      default -> dtype.name().substring(3).toLowerCase(java.util.Locale.ROOT);
    };
  }
}
