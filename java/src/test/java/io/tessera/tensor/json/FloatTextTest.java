package io.tessera.tensor.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.math.BigDecimal;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FloatTextTest {
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
