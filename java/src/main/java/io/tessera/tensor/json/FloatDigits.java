package io.tessera.tensor.json;

/**
 * The decimal digits of a positive float for {@code %.6g} / {@code %.9g}, correctly rounded (half
 * to even on the exact binary value, as glibc and absl print), computed with double and long
 * arithmetic instead of big decimals; and whether the 6-digit text reads back as the same float.
 *
 * <p>Why doubles mostly suffice: a float widens to a double exactly, and {@code v · 10^q} (q chosen
 * so the result has P integer digits, P ≤ 9, so it is below 2^30) is computed with at most two
 * roundings of relative size 2^-53, an absolute error below 2^-22. Unless the fractional part lies
 * within {@link #MARGIN} (2^-20) of one half, rounding the computed value rounds the exact one the
 * same way. Near-ties and exact ties (common among large floats, whose scaled values have few
 * fractional bits) are decided exactly: {@code m · 2^e · 10^q} as {@code m · 5^q >> -(e+q)} or
 * {@code (m << (e-k)) / 5^k} in longs, where these fit (q in [-26, 16]); elsewhere they are
 * {@link #AMBIGUOUS}, for the BigDecimal code. A decimal exponent misjudged at a power of ten is
 * harmless: the scaled value is then within 2^-52 of 10^(P-1) or 10^P, and both ways round to
 * 10^(P-1) at the same exponent.
 */
final class FloatDigits {
  /** Result of {@link #round} when only big-number arithmetic can decide (rare: see the tests). */
  static final long AMBIGUOUS = -1;
  private static final double MARGIN = 0x1p-20;
  private static final int POW10_OFFSET = 64;
  /** 10^k correctly rounded, for k in [-64, 64]; exact for |k| ≤ 22. */
  private static final double[] POW10 = new double[2 * POW10_OFFSET + 1];
  private static final long[] POW5 = new long[27];
  private static final int[] INT_POW10 = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000,
      10_000_000, 100_000_000, 1_000_000_000};

  static {
    POW5[0] = 1;
    for (int k = 1; k < POW5.length; k++) {
      POW5[k] = POW5[k - 1] * 5;
    }
    for (int k = -POW10_OFFSET; k <= POW10_OFFSET; k++) {
      POW10[k + POW10_OFFSET] = Double.parseDouble("1e" + k);
    }
  }

  private FloatDigits() {}

  /**
   * The {@code precision}-digit (1..9) correctly rounded significand of the finite positive
   * {@code f}, packed with its decimal exponent: see {@link #significand} and {@link #exponent};
   * or {@link #AMBIGUOUS}.
   */
  static long round(float f, int precision) {
    double v = f;
    int e2 = Math.getExponent(v);
    int e10 = (int) Math.floor(e2 * 0.30102999566398120);  // floor(log10 v) is e10 or e10 + 1
    if (v >= pow10(e10 + 1)) {
      e10++;
    }
    int q = precision - 1 - e10;
    double scaled = q >= 0 ? v * pow10(q) : v / pow10(-q);
    long whole = (long) scaled;
    double fraction = scaled - whole;  // exact (Sterbenz)
    long digits;
    if (Math.abs(fraction - 0.5) < MARGIN) {
      digits = exactlyRounded(f, q);
      if (digits == AMBIGUOUS) {
        return AMBIGUOUS;
      }
    } else {
      digits = fraction > 0.5 ? whole + 1 : whole;
    }
    if (digits == INT_POW10[precision]) {
      digits = INT_POW10[precision - 1];
      e10++;
    }
    return pack(digits, e10);
  }

  /** {@code f · 10^q} rounded half to even, in exact long arithmetic; AMBIGUOUS if it does not fit. */
  private static long exactlyRounded(float f, int q) {
    int bits = Float.floatToRawIntBits(f);
    int biased = bits >>> 23;
    long m = biased == 0 ? bits & 0x7f_ffff : (bits & 0x7f_ffff) | 0x80_0000;
    int e = Math.max(biased, 1) - 150;  // f = m · 2^e
    long whole;
    int vsHalf;  // the fraction compared with one half
    if (q >= 0) {
      if (q > 16) {
        return AMBIGUOUS;
      }
      long x = m * POW5[q];  // below 2^24 · 5^16 < 2^62
      int shift = -(e + q);
      if (shift <= 0) {
        return x << -shift;  // an integer (its digits fit: the result is below 10^9)
      }
      if (shift > 62) {
        return AMBIGUOUS;
      }
      whole = x >>> shift;
      vsHalf = Long.compare(x & ((1L << shift) - 1), 1L << (shift - 1));
    } else {
      int k = -q;
      int shift = e - k;
      if (k >= POW5.length || shift > 38) {
        return AMBIGUOUS;
      }
      long divisor = POW5[k];
      long dividend = m;
      if (shift >= 0) {
        dividend = m << shift;  // below 2^62
      } else if (-shift < Long.numberOfLeadingZeros(divisor) - 1) {
        divisor <<= -shift;  // below 2^62
      } else {
        return AMBIGUOUS;
      }
      whole = dividend / divisor;
      vsHalf = Long.compare(2 * (dividend % divisor), divisor);
    }
    return vsHalf > 0 || (vsHalf == 0 && (whole & 1) == 1) ? whole + 1 : whole;
  }

  /**
   * Whether the decimal {@code significand(six) · 10^(exponent(six) - 5)} reads back (correctly
   * rounded, as strtof and Float.parseFloat read) as {@code f}; null when only a full parse can
   * tell. Clinger: with |k| ≤ 22 the decimal is one correctly rounded double operation away, and
   * rounding that double to float gives the float nearest the decimal unless the double lies
   * exactly halfway between two floats and is not the decimal itself.
   */
  static Boolean readsBackAs(long six, float f) {
    int k = exponent(six) - 5;
    if (k < -22 || k > 22) {
      return null;
    }
    double d = k >= 0 ? significand(six) * pow10(k) : significand(six) / pow10(-k);
    if (k >= 0 && k <= 9) {
      return (float) d == f;  // d is the decimal itself (below 10^15): one rounding, to float
    }
    // d is at least 1e-17 here, a normal float's range: 29 bits lie below float precision
    if ((Double.doubleToRawLongBits(d) & 0x1FFF_FFFFL) == 0x1000_0000L) {
      return null;
    }
    return (float) d == f;
  }

  static int significand(long packed) {
    return (int) packed;
  }

  static int exponent(long packed) {
    return (int) (packed >> 32);
  }

  static long pack(long significand, int exponent) {
    return ((long) exponent << 32) | significand;
  }

  /** 10^n as int, n in [0, 9]. */
  static int intPow10(int n) {
    return INT_POW10[n];
  }

  private static double pow10(int k) {
    return POW10[k + POW10_OFFSET];
  }
}
