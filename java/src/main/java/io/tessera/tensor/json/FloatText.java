package io.tessera.tensor.json;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Decimal text of floating-point tensor values exactly as TF Serving's {@code WriteDecimal} writes
 * them: {@code absl::StrCat} (printf {@code %.6g}) when that parses back to the same value, else
 * {@code %.9g} (float) / {@code %.17g} (double); ".0" appended when the text has neither '.' nor
 * 'e'; non-finite values as the {@code NaN}, {@code Infinity}, {@code -Infinity} tokens.
 *
 * <p>Fast path: Java's shortest round-trip digits, when there are at most 6 of them, are exactly
 * what {@code %.6g} prints for a normal number (the 6-digit grid is coarser than one ulp).
 */
public final class FloatText {
  private FloatText() {}

  public static String ofFloat(float f) {
    if (!Float.isFinite(f)) {
      return Float.isNaN(f) ? "NaN" : f > 0 ? "Infinity" : "-Infinity";
    }
    if (f == 0f) {
      return (Float.floatToRawIntBits(f) < 0) ? "-0.0" : "0.0";
    }
    float abs = Math.abs(f);
    String sign = f < 0 ? "-" : "";
    if (abs >= Float.MIN_NORMAL) {
      String fast = shortG(Float.toString(abs), 6);
      if (fast != null) {
        return sign + withDotZero(fast);
      }
    }
    BigDecimal exact = new BigDecimal((double) abs);
    String six = formatG(exact, 6);
    if (Float.parseFloat(six) == abs) {
      return sign + withDotZero(six);
    }
    return sign + withDotZero(formatG(exact, 9));
  }

  public static String ofDouble(double d) {
    if (!Double.isFinite(d)) {
      return Double.isNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity";
    }
    if (d == 0d) {
      return (Double.doubleToRawLongBits(d) < 0) ? "-0.0" : "0.0";
    }
    double abs = Math.abs(d);
    String sign = d < 0 ? "-" : "";
    if (abs >= Double.MIN_NORMAL) {
      String fast = shortG(Double.toString(abs), 6);
      if (fast != null) {
        return sign + withDotZero(fast);
      }
    }
    BigDecimal exact = new BigDecimal(abs);
    String six = formatG(exact, 6);
    if (Double.parseDouble(six) == abs) {
      return sign + withDotZero(six);
    }
    return sign + withDotZero(formatG(exact, 17));
  }

  private static String withDotZero(String s) {
    return s.indexOf('.') < 0 && s.indexOf('e') < 0 ? s + ".0" : s;
  }

  /** %.Pg of a positive exact value (round half to even, as glibc and absl::StrFormat do). */
  static String formatG(BigDecimal positive, int precision) {
    BigDecimal r = positive.round(new MathContext(precision, RoundingMode.HALF_EVEN)).stripTrailingZeros();
    String digits = r.unscaledValue().toString();
    int exp10 = digits.length() - 1 - r.scale();
    return layout(digits, exp10, precision);
  }

  /**
   * Converts Java's Float/Double.toString text of a positive number into %g layout when it has at
   * most {@code precision} significant digits; null otherwise.
   */
  static String shortG(String javaText, int precision) {
    int e = javaText.indexOf('E');
    String mantissa = e < 0 ? javaText : javaText.substring(0, e);
    int exp = e < 0 ? 0 : Integer.parseInt(javaText.substring(e + 1));
    int dot = mantissa.indexOf('.');
    String intPart = mantissa.substring(0, dot);
    String frac = mantissa.substring(dot + 1);
    String all = intPart + frac;
    int first = 0;
    while (first < all.length() && all.charAt(first) == '0') {
      first++;
    }
    int last = all.length();
    while (last > first && all.charAt(last - 1) == '0') {
      last--;
    }
    if (first == last || last - first > precision) {
      return null;
    }
    // value = 0.all * 10^(intPart.length + exp); first digit's exponent:
    int exp10 = intPart.length() + exp - 1 - first;
    return layout(all.substring(first, last), exp10, precision);
  }

  /** %g layout of significant digits d1..dn (no trailing zeros) whose first digit is 10^exp10. */
  static String layout(String digits, int exp10, int precision) {
    int n = digits.length();
    StringBuilder sb = new StringBuilder(n + 8);
    if (exp10 < -4 || exp10 >= precision) {
      sb.append(digits.charAt(0));
      if (n > 1) {
        sb.append('.').append(digits, 1, n);
      }
      sb.append('e').append(exp10 < 0 ? '-' : '+');
      int a = Math.abs(exp10);
      if (a < 10) {
        sb.append('0');
      }
      sb.append(a);
    } else if (exp10 >= 0) {
      if (n <= exp10 + 1) {
        sb.append(digits);
        for (int i = n; i <= exp10; i++) {
          sb.append('0');
        }
      } else {
        sb.append(digits, 0, exp10 + 1).append('.').append(digits, exp10 + 1, n);
      }
    } else {
      sb.append("0.");
      for (int i = -1; i > exp10; i--) {
        sb.append('0');
      }
      sb.append(digits);
    }
    return sb.toString();
  }

  /**
   * rapidjson's {@code Writer::Double} text (Grisu shortest digits + Prettify), used where TF
   * Serving echoes a parsed JSON number in an error message. Null for NaN/Infinity (rapidjson's
   * writer refuses them, so TF Serving prints nothing).
   */
  static String rapidjsonDouble(double d) {
    if (!Double.isFinite(d)) {
      return null;
    }
    if (d == 0d) {
      return (Double.doubleToRawLongBits(d) < 0) ? "-0.0" : "0.0";
    }
    BigDecimal v = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
    String digits = v.unscaledValue().toString();
    int length = digits.length();
    int k = -v.scale();
    int kk = length + k;
    StringBuilder sb = new StringBuilder(32);
    if (d < 0) {
      sb.append('-');
    }
    if (0 <= k && kk <= 21) {
      sb.append(digits);
      for (int i = length; i < kk; i++) {
        sb.append('0');
      }
      sb.append(".0");
    } else if (0 < kk && kk <= 21) {
      sb.append(digits, 0, kk).append('.').append(digits, kk, length);
    } else if (-6 < kk && kk <= 0) {
      sb.append("0.");
      for (int i = kk; i < 0; i++) {
        sb.append('0');
      }
      sb.append(digits);
    } else if (length == 1) {
      sb.append(digits).append('e').append(kk - 1);
    } else {
      sb.append(digits.charAt(0)).append('.').append(digits, 1, length).append('e').append(kk - 1);
    }
    return sb.toString();
  }
}
