package io.tessera.tensor.json;

/**
 * The double arithmetic behind {@link JsonBytes}'s numbers, for a decimal digits x 10^exp10 (digits
 * positive and below 10^19): Clinger's exact fast path, and a float-only path for long
 * significands. Each returns NaN where it cannot vouch for the result, and the caller then uses an
 * exact parser. Our own code: the reader must give exactly the values Jackson's parser (and so TF
 * Serving's rapidjson) gives.
 */
final class DecimalValues {
  /** The powers of ten a double holds exactly. */
  static final double[] POW10 = new double[23];
  private static final long TWO_53 = 1L << 53;

  static {
    for (int k = 0; k < POW10.length; k++) {
      POW10[k] = Double.parseDouble("1e" + k);
    }
  }

  private DecimalValues() {}

  /**
   * The correctly rounded double, in one operation of exact operands (Clinger): a significand
   * below 2^53 and an exponent within ±22. NaN otherwise.
   */
  static double exact(long digits, int exp10) {
    if (digits >= TWO_53 || exp10 <= -POW10.length || exp10 >= POW10.length) {
      return Double.NaN;
    }
    return exp10 < 0 ? digits / POW10[-exp10] : digits * POW10[exp10];
  }

  /**
   * For a value used only as a float (a float, half or bfloat16 input, whose elements are the
   * double's float): a double that rounds to the same float as the correctly rounded double D,
   * when that can be shown, else NaN. The result a comes from two roundings (digits to double,
   * then an exact power of ten), so with v the exact value |a - v| <= 2^-52 v, and
   * |D - v| <= 2^-53 v: D lies within 2^-50 a of a, with room for the rounding of those bounds.
   * Rounding to float is monotonic, so if both bounds round to one float, D does too. A float's
   * rounding boundary falls that close to a about once in 2^27 values; subnormal and overflowing
   * floats are left to the exact parser.
   */
  static double sameFloat(long digits, int exp10) {
    if (exp10 <= -POW10.length || exp10 >= POW10.length) {
      return Double.NaN;
    }
    double a = exp10 < 0 ? (double) digits / POW10[-exp10] : (double) digits * POW10[exp10];
    if (!(a >= 0x1p-126 && a <= Float.MAX_VALUE)) {
      return Double.NaN;
    }
    double margin = a * 0x1p-50;
    float f = (float) a;
    return (float) (a - margin) == f && (float) (a + margin) == f ? a : Double.NaN;
  }
}
