package io.tessera.tensor.json;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;

/**
 * Decimal text of floating-point tensor values exactly as TF Serving's {@code WriteDecimal} writes
 * them: {@code absl::StrCat} (printf {@code %.6g}) when that parses back to the same value, else
 * {@code %.9g} (float) / {@code %.17g} (double); ".0" appended when the text has neither '.' nor
 * 'e'; non-finite values as the {@code NaN}, {@code Infinity}, {@code -Infinity} tokens.
 *
 * <p>Floats: the digits come from {@link FloatDigits} (double arithmetic with an exactness
 * margin, long arithmetic for ties) and are written straight into the caller's bytes; the few
 * values it cannot decide (ties of tiny or huge floats; beyond 1e±17, the read-back test) take
 * the exact BigDecimal or parseFloat route.
 * Doubles: Java's shortest digits when there are at most 6 (the 6-digit grid is coarser than one
 * ulp, so they are what {@code %.6g} prints), else BigDecimal.
 */
public final class FloatText {
  /** The most bytes {@link #appendFloat} writes ({@code -1.23456789e-45} has 15). */
  public static final int MAX_FLOAT_BYTES = 16;
  private static final byte[] NAN = {'N', 'a', 'N'};
  private static final byte[] INFINITY = {'I', 'n', 'f', 'i', 'n', 'i', 't', 'y'};

  private FloatText() {}

  public static String ofFloat(float f) {
    byte[] text = new byte[MAX_FLOAT_BYTES];
    return new String(text, 0, appendFloat(text, 0, f), StandardCharsets.ISO_8859_1);
  }

  /**
   * Writes {@link #ofFloat}'s text of {@code f} into {@code out} from {@code at}, which must have
   * {@link #MAX_FLOAT_BYTES} bytes of room (all of which it may use as scratch); returns the index
   * after the text.
   */
  public static int appendFloat(byte[] out, int at, float f) {
    if (f != f) {
      return put(out, at, NAN);
    }
    if (Float.floatToRawIntBits(f) < 0) {
      out[at++] = '-';
    }
    float abs = Math.abs(f);
    if (abs == Float.POSITIVE_INFINITY) {
      return put(out, at, INFINITY);
    }
    if (abs == 0f) {
      return put(out, at, (byte) '0', (byte) '.', (byte) '0');
    }
    long six = FloatDigits.round(abs, 6);
    if (six == FloatDigits.AMBIGUOUS) {
      return putAscii(out, at, exactFloat(abs));
    }
    Boolean same = FloatDigits.readsBackAs(six, abs);
    if (same == null) {
      int end = layout(out, at, six, 6);
      same = Float.parseFloat(new String(out, at, end - at, StandardCharsets.ISO_8859_1)) == abs;
      if (same) {
        return end;
      }
    } else if (same) {
      return layout(out, at, six, 6);
    }
    long nine = FloatDigits.round(abs, 9);
    if (nine == FloatDigits.AMBIGUOUS) {
      return putAscii(out, at, withDotZero(formatG(new BigDecimal((double) abs), 9)));
    }
    return layout(out, at, nine, 9);
  }

  /** The whole computation on the exact value (the reference the fast route must equal). */
  static String exactFloat(float abs) {
    BigDecimal exact = new BigDecimal((double) abs);
    String six = formatG(exact, 6);
    return withDotZero(Float.parseFloat(six) == abs ? six : formatG(exact, 9));
  }

  /**
   * %g layout of packed digits ({@link FloatDigits}) at {@code precision}, trailing zeros
   * dropped, ".0" added where %g gives neither '.' nor 'e'.
   */
  private static int layout(byte[] out, int at, long packed, int precision) {
    int digits = FloatDigits.significand(packed);
    int exp10 = FloatDigits.exponent(packed);
    int n = precision;
    while (digits % 10 == 0) {
      digits /= 10;
      n--;
    }
    if (exp10 < -4 || exp10 >= precision) {
      int rest = FloatDigits.intPow10(n - 1);
      out[at++] = (byte) ('0' + digits / rest);
      if (n > 1) {
        out[at++] = '.';
        at = putDigits(out, at, digits % rest, n - 1);
      }
      out[at++] = 'e';
      out[at++] = exp10 < 0 ? (byte) '-' : (byte) '+';
      int a = Math.abs(exp10);
      if (a >= 100) {
        out[at++] = (byte) ('0' + a / 100);
        a %= 100;
      }
      return putDigits(out, at, a, 2);
    }
    if (exp10 >= 0) {
      if (n <= exp10 + 1) {
        at = putDigits(out, at, digits, n);
        for (int i = n; i <= exp10; i++) {
          out[at++] = '0';
        }
        return put(out, at, (byte) '.', (byte) '0');
      }
      int low = FloatDigits.intPow10(n - exp10 - 1);
      at = putDigits(out, at, digits / low, exp10 + 1);
      out[at++] = '.';
      return putDigits(out, at, digits % low, n - exp10 - 1);
    }
    out[at++] = '0';
    out[at++] = '.';
    for (int i = -1; i > exp10; i--) {
      out[at++] = '0';
    }
    return putDigits(out, at, digits, n);
  }

  /** {@code count} decimal digits of {@code value}, zero-padded on the left. */
  private static int putDigits(byte[] out, int at, int value, int count) {
    for (int i = at + count - 1; i >= at; i--) {
      out[i] = (byte) ('0' + value % 10);
      value /= 10;
    }
    return at + count;
  }

  private static int put(byte[] out, int at, byte... text) {
    System.arraycopy(text, 0, out, at, text.length);
    return at + text.length;
  }

  private static int putAscii(byte[] out, int at, String text) {
    for (int i = 0; i < text.length(); i++) {
      out[at++] = (byte) text.charAt(i);
    }
    return at;
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
