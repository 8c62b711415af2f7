package io.tessera.tensor.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FloatTextTest {
  /**
   * Hard cases as TF Serving writes them: the file holds the text abseil itself produced for
   * each float through the calls TF Serving's WriteDecimal makes (see its header). Also checks
   * that appendFloat writes at an offset and touches no byte outside its room.
   */
  @Test
  void textAbseilProducedForTfServing() throws IOException {
    int cases = 0;
    try (BufferedReader in = new BufferedReader(new InputStreamReader(
        FloatTextTest.class.getResourceAsStream("tfserving-float-text.tsv"), StandardCharsets.US_ASCII))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.startsWith("#")) {
          continue;
        }
        String[] cols = line.split("\t");
        int bits = Integer.parseUnsignedInt(cols[0], 16);
        float f = Float.intBitsToFloat(bits);
        assertEquals(cols[1], FloatText.ofFloat(f), () -> "bits " + cols[0]);
        byte[] out = new byte[3 + FloatText.MAX_FLOAT_BYTES + 3];
        Arrays.fill(out, (byte) '#');
        int end = FloatText.appendFloat(out, 3, f);
        assertEquals(cols[1], new String(out, 3, end - 3, StandardCharsets.US_ASCII));
        assertEquals("######", new String(out, 0, 3, StandardCharsets.US_ASCII)
            + new String(out, 3 + FloatText.MAX_FLOAT_BYTES, 3, StandardCharsets.US_ASCII));
        cases++;
      }
    }
    assertEquals(3100, cases);
  }

  /**
   * Every float in dense ranges (around each power of ten and of two, the subnormals, stretches
   * of 1e-10..1 where classifier outputs lie, the largest floats) and a million random bit
   * patterns, against a reference computed on the exact value with BigDecimal.
   */
  @Test
  void denseRangesMatchTheExactValue() {
    int checked = 0;
    for (int e = -45; e <= 38; e++) {
      checked += range(Float.floatToRawIntBits(Float.parseFloat("1e" + e)) - 10_000, 20_000);
    }
    for (int biased = 1; biased < 255; biased++) {
      checked += range((biased << 23) - 1_000, 2_000);
    }
    checked += range(1, 100_000);
    checked += range(0x7f7fffff - 50_000, 50_001);
    for (float start : new float[] {1e-10f, 3.3e-8f, 1e-6f, 2.5e-5f, 1e-3f, 0.01f, 0.1f, 0.5f, 0.99f}) {
      checked += range(Float.floatToRawIntBits(start), 100_000);
    }
    SplittableRandom r = new SplittableRandom(20);
    for (int i = 0; i < 1_000_000; i++) {
      checked += range(r.nextInt(), 1);
    }
    assertEquals(4_238_001, checked);
  }

  private static int range(int firstBits, int count) {
    for (int bits = firstBits; bits < firstBits + count; bits++) {
      float f = Float.intBitsToFloat(bits);
      String want = reference(f);
      if (!want.equals(FloatText.ofFloat(f))) {
        assertEquals(want, FloatText.ofFloat(f), "bits " + Integer.toHexString(bits));
      }
    }
    return count;
  }

  /** TF Serving's rule restated on the exact value: %.6g if it reads back, else %.9g; ".0". */
  private static String reference(float f) {
    if (Float.isNaN(f)) {
      return "NaN";
    }
    String sign = Float.floatToRawIntBits(f) < 0 ? "-" : "";
    float a = Math.abs(f);
    if (Float.isInfinite(a)) {
      return sign + "Infinity";
    }
    if (a == 0) {
      return sign + "0.0";
    }
    BigDecimal exact = new BigDecimal((double) a);
    String six = percentG(exact, 6);
    String text = Float.parseFloat(six) == a ? six : percentG(exact, 9);
    return sign + (text.contains(".") || text.contains("e") ? text : text + ".0");
  }

  /** C's %.{p}g of a positive exact value, rounding half to even. */
  private static String percentG(BigDecimal exact, int p) {
    BigDecimal r = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
    int exp = r.precision() - r.scale() - 1;
    if (exp >= -4 && exp < p) {
      return r.stripTrailingZeros().toPlainString();
    }
    String digits = r.unscaledValue().toString().replaceAll("0+$", "");
    return digits.charAt(0) + (digits.length() > 1 ? "." + digits.substring(1) : "") + "e"
        + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
  }
  @Test
  void floatsAsTfServingWritesThem() {
    assertEquals("0.1", FloatText.ofFloat(0.1f));
    assertEquals("3.0", FloatText.ofFloat(3.0f));
    assertEquals("3.5", FloatText.ofFloat(3.5f));
    assertEquals("1e-07", FloatText.ofFloat(1e-7f));
    assertEquals("16777216.0", FloatText.ofFloat(16777216f));
    assertEquals("0.333333343", FloatText.ofFloat(1f / 3f));
    assertEquals("9e+06", FloatText.ofFloat(9000000f));
    assertEquals("999999.0", FloatText.ofFloat(999999f));
    assertEquals("0.5", FloatText.ofFloat(0.5f));
    assertEquals("0.0003", FloatText.ofFloat(0.0003f));
    assertEquals("3e-05", FloatText.ofFloat(0.00003f));
    assertEquals("555557.5", FloatText.ofFloat(555557.5f));
    assertEquals("1.43577434e+09", FloatText.ofFloat(1435774380f));
    assertEquals("0.0", FloatText.ofFloat(0f));
    assertEquals("-0.0", FloatText.ofFloat(-0f));
    assertEquals("-2.5", FloatText.ofFloat(-2.5f));
    assertEquals("NaN", FloatText.ofFloat(Float.NaN));
    assertEquals("Infinity", FloatText.ofFloat(Float.POSITIVE_INFINITY));
    assertEquals("-Infinity", FloatText.ofFloat(Float.NEGATIVE_INFINITY));
    assertEquals("3.40282347e+38", FloatText.ofFloat(Float.MAX_VALUE));
    assertEquals("1.4013e-45", FloatText.ofFloat(Float.MIN_VALUE));
    assertEquals("123456.0", FloatText.ofFloat(123456f));
    assertEquals("1234567.0", FloatText.ofFloat(1234567f));
    assertEquals("1e+10", FloatText.ofFloat(1e10f));
  }

  @Test
  void doublesUseSixThenSeventeenDigits() {
    assertEquals("0.1", FloatText.ofDouble(0.1));
    assertEquals("3.0", FloatText.ofDouble(3.0));
    assertEquals("0.33333333333333331", FloatText.ofDouble(1.0 / 3));
    assertEquals("1e+100", FloatText.ofDouble(1e100));
    assertEquals("0.30000000000000004", FloatText.ofDouble(0.1 + 0.2));
    assertEquals("1234567.0", FloatText.ofDouble(1234567.0));
    assertEquals("4.94066e-324", FloatText.ofDouble(Double.MIN_VALUE));
  }

  /** The fast path must agree with the straightforward %g computation. */
  @Test
  void fastPathMatchesExactAlgorithm() {
    SplittableRandom r = new SplittableRandom(7);
    for (int i = 0; i < 200_000; i++) {
      float f = i % 3 == 0 ? Float.intBitsToFloat(r.nextInt())
          : (float) (Math.round(r.nextDouble() * 1e6) / Math.pow(10, r.nextInt(12)));
      if (!Float.isFinite(f) || f == 0f) {
        continue;
      }
      assertEquals(slowFloat(f), FloatText.ofFloat(f), () -> "bits " + Float.floatToRawIntBits(f));
      double d = i % 2 == 0 ? Double.longBitsToDouble(r.nextLong()) : f;
      if (Double.isFinite(d) && d != 0) {
        assertEquals(slowDouble(d), FloatText.ofDouble(d), () -> "bits " + Double.doubleToRawLongBits(d));
      }
    }
  }

  private static String slowFloat(float f) {
    BigDecimal exact = new BigDecimal((double) Math.abs(f));
    String six = FloatText.formatG(exact, 6);
    String s = Float.parseFloat(six) == Math.abs(f) ? six : FloatText.formatG(exact, 9);
    return (f < 0 ? "-" : "") + (s.contains(".") || s.contains("e") ? s : s + ".0");
  }

  private static String slowDouble(double d) {
    BigDecimal exact = new BigDecimal(Math.abs(d));
    String six = FloatText.formatG(exact, 6);
    String s = Double.parseDouble(six) == Math.abs(d) ? six : FloatText.formatG(exact, 17);
    return (d < 0 ? "-" : "") + (s.contains(".") || s.contains("e") ? s : s + ".0");
  }

  @Test
  void rapidjsonEchoFormat() {
    assertEquals("1.5", FloatText.rapidjsonDouble(1.5));
    assertEquals("1000.0", FloatText.rapidjsonDouble(1000));
    assertEquals("1e30", FloatText.rapidjsonDouble(1e30));
    assertEquals("1.25e-7", FloatText.rapidjsonDouble(1.25e-7));
    assertEquals("0.001234", FloatText.rapidjsonDouble(0.001234));
    assertEquals("-0.0", FloatText.rapidjsonDouble(-0.0));
    assertEquals("100000000000000000000.0", FloatText.rapidjsonDouble(1e20));
    assertNull(FloatText.rapidjsonDouble(Double.NaN));
  }
}
