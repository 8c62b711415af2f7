package io.tessera.tensor.json;

import static io.tessera.tensor.DataType.DT_BFLOAT16;
import static io.tessera.tensor.DataType.DT_DOUBLE;
import static io.tessera.tensor.DataType.DT_FLOAT;
import static io.tessera.tensor.DataType.DT_HALF;
import static io.tessera.tensor.DataType.DT_INT32;
import static io.tessera.tensor.json.JsonTestSupport.sig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import io.tessera.nativebridge.HostBuffer;
import io.tessera.status.ServingException;
import io.tessera.tensor.InputTensor;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The byte-level float reader must give exactly what the general (Jackson) path gives: same
 * tensors bit for bit, same shapes and signature, for heap and direct bodies; and step aside
 * (null) for anything it does not read, leaving the result or error to the general path.
 */
class FloatListReaderTest {
  private static final SignatureInputs IMAGES = sig("images", DT_FLOAT);

  /** What a read gives: the request's contents, or the error. */
  private static String outcome(String json, SignatureInputs s, boolean general, boolean direct) {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    ByteBuffer body = direct ? ByteBuffer.allocateDirect(bytes.length).put(bytes).flip()
        : ByteBuffer.wrap(bytes);
    long live = HostBuffer.liveBytes();
    try (PredictJsonRequest r = general ? PredictJsonReader.readGeneral(body, s)
        : PredictJsonReader.read(body, s)) {
      StringBuilder out = new StringBuilder(r.signatureName() + " row=" + r.rowFormat());
      for (Map.Entry<String, InputTensor> e : r.inputs().entrySet()) {
        InputTensor t = e.getValue();
        ByteBuffer d = JsonTestSupport.dense(t);
        byte[] data = new byte[d.remaining()];
        d.get(data);
        out.append(' ').append(e.getKey()).append(':').append(t.dtype())
            .append(Arrays.toString(t.shape())).append('=').append(HexFormat.of().formatHex(data));
      }
      return out.toString();
    } catch (ServingException e) {
      return "error " + e.code() + ": " + e.getMessage();
    } finally {
      assertEquals(live, HostBuffer.liveBytes(), "native memory left behind");
    }
  }

  /** Both paths, heap and direct, agree; returns whether the fast path read it. */
  private static boolean same(String json, SignatureInputs s) {
    String want = outcome(json, s, true, true);
    agree(want, outcome(json, s, false, true), json);
    agree(want, outcome(json, s, false, false), json);
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    try (PredictJsonRequest fast = FloatListReader.read(ByteBuffer.wrap(bytes), s)) {
      return fast != null;
    }
  }

  private static void agree(String want, String got, String json) {
    if (!want.equals(got)) {
      int at = 0;
      while (at < Math.min(want.length(), got.length()) && want.charAt(at) == got.charAt(at)) {
        at++;
      }
      fail("results differ from character " + at + ": general " + around(want, at) + ", fast "
          + around(got, at) + ", body " + around(json, 0));
    }
  }

  private static String around(String s, int at) {
    return s.substring(Math.max(0, at - 40), Math.min(s.length(), at + 80));
  }

  private static void fast(String json, SignatureInputs s) {
    assertEquals(true, same(json, s), () -> "not read by the fast path: " + around(json, 0));
  }

  private static void general(String json, SignatureInputs s) {
    assertEquals(false, same(json, s), () -> "read by the fast path: " + around(json, 0));
  }

  @Test
  void layoutsTheFastPathReads() {
    fast("{\"instances\": [1.5, -2, 3e2]}", IMAGES);
    fast("{\"instances\": [[[0.1,0.2],[0.3,0.4]],[[0.5,0.6],[0.7,0.8]]]}", IMAGES);
    fast(" \t\r\n{ \"instances\" : [ { \"images\" : [ 1 , 2 ] } , {\"images\":[3,4]} ] } ", IMAGES);
    fast("{\"signature_name\": \"serving_default\", \"instances\": [[1], [2]]}", IMAGES);
    fast("{\"instances\": [[1], [2]], \"signature_name\": \"\"}", IMAGES);
    fast("{\"inputs\": [[1, 2], [3, 4]]}", IMAGES);
    fast("{\"inputs\": 7.25}", IMAGES);
    fast("{\"inputs\": []}", IMAGES);
    fast("{\"inputs\": [[], []]}", IMAGES);
    fast("{\"instances\": [[], []]}", IMAGES);
    SignatureInputs two = sig("a", DT_FLOAT, "b", DT_DOUBLE);
    fast("{\"instances\": [{\"a\": [1, 2], \"b\": 0.1}, {\"b\": 0.2, \"a\": [3, 4]}]}", two);
    fast("{\"inputs\": {\"b\": [0.1, 0.2], \"a\": [[1], [2]]}}", two);
    fast("{\"inputs\": [65504, 1e-8, 0.333333333]}", sig("h", DT_HALF));
    fast("{\"inputs\": [3.0e38, 1e-8, 0.333333333]}", sig("h", DT_BFLOAT16));
    fast("{\"instances\": [1]} trailing bytes are ignored, as TF Serving does", IMAGES);
  }

  @Test
  void everythingElseGoesToTheGeneralPath() {
    general("{\"instances\": [NaN, Infinity, -Infinity]}", IMAGES);
    general("{\"instances\": [1.]}", IMAGES);
    general("{\"instances\": [01]}", IMAGES);
    general("{\"instances\": [+1]}", IMAGES);
    general("{\"instances\": [1,]}", IMAGES);
    general("{\"instances\": [,1]}", IMAGES);
    general("{\"instances\": [1 2]}", IMAGES);
    general("{\"instances\": []}", IMAGES);
    general("{\"instances\": [[1], 2]}", IMAGES);
    general("{\"instances\": [[1, 2], [3]]}", IMAGES);
    general("{\"instances\": [1], \"inputs\": [1]}", IMAGES);
    general("{\"instances\": [1], \"instances\": [2]}", IMAGES);
    general("{\"instances\": [1], \"extra\": 1}", IMAGES);
    general("{\"instances\": [1], \"signature_name\": \"other\"}", IMAGES);
    general("{\"signature_name\": 5, \"instances\": [1]}", IMAGES);
    general("{\"signature_name\": \"nope\", \"instances\": [1]}", IMAGES);
    general("{\"ins\\u0074ances\": [1]}", IMAGES);
    general("{\"instances\": [{\"b64\": \"AAAA\"}]}", IMAGES);
    general("{\"instances\": [{\"images\": [1], \"images\": [2]}]}", IMAGES);
    general("{\"inputs\": {\"images\": [1], \"other\": [2]}}", IMAGES);
    general("{\"inputs\": {}}", IMAGES);
    general("{}", IMAGES);
    general("[1]", IMAGES);
    general("\uFEFF{\"instances\": [1]}", IMAGES);
    general("{\"instances\": [1, 2, 3]}", sig("i", DT_INT32));
    general("{\"instances\": [1, \"2\"]}", IMAGES);
    general("{\"instances\": [1e5" + "0".repeat(70) + "]}", IMAGES);
    general("{\"instances\": [[1, 2]", IMAGES);
    general("{\"instances\": [1]", IMAGES);
    general("{\"inputs\": " + "[".repeat(300) + "1" + "]".repeat(300) + "}", IMAGES);
  }

  /** Number spellings of every kind; each value must come out as the general path reads it. */
  @Test
  void numbersReadAsTheGeneralPathReadsThem() {
    String[] fixed = {"0", "-0", "0.0", "-0.0", "-0e5", "0e-400", "1e-400", "-1e400", "1e39",
        "3.4028235e38", "3.4028236e38", "1.4e-45", "7e-46", "1.17549435e-38", "123456789012345678",
        "1234567890123456789", "12345678901234567890123", "9007199254740993", "9007199254740993.0",
        "0.1", "0.30000000000000004", "2.5e-324", "1.7976931348623157e308", "1E2", "1e+2",
        "123.456e-7", "0.000000000000000000000000000012345", "4.9406564584124654e-324",
        "0.12345679104328156", "-0.76543211936950684", "1.00000005", "1.0000000596046448",
        "16777217", "33554435", "0.5000000000000000000001"};
    StringBuilder all = new StringBuilder("{\"inputs\": [");
    for (int i = 0; i < fixed.length; i++) {
      all.append(i == 0 ? "" : ", ").append(fixed[i]);
    }
    fast(all.append("]}").toString(), IMAGES);
    fast(all.toString(), sig("images", DT_DOUBLE));
    SplittableRandom r = new SplittableRandom(20);
    for (int round = 0; round < 40; round++) {
      StringBuilder b = new StringBuilder("{\"instances\": [");
      for (int i = 0; i < 2000; i++) {
        b.append(i == 0 ? "" : ",").append(randomNumber(r));
      }
      String json = b.append("]}").toString();
      fast(json, IMAGES);
      fast(json, sig("images", DT_DOUBLE));
    }
  }

  private static String randomNumber(SplittableRandom r) {
    String sign = r.nextInt(3) == 0 ? "-" : "";
    return sign + switch (r.nextInt(6)) {
      case 0 -> Long.toString(r.nextLong(1L << r.nextInt(1, 63)));
      case 1 -> Float.toString(Float.intBitsToFloat(r.nextInt() & 0x7f7fffff)).replace("E", "e");
      case 2 -> Double.toString((double) (float) r.nextDouble());  // a float32 sent as Python does
      case 3 -> Double.toString(Double.longBitsToDouble(r.nextLong() & 0x7fefffffffffffffL));
      case 4 -> r.nextInt(1000) + "." + String.format("%0" + r.nextInt(1, 21) + "d", 0)
          .replace('0', (char) ('0' + r.nextInt(10))) + (r.nextBoolean() ? "" : "E-" + r.nextInt(30));
      default -> String.format("%.7f", r.nextDouble() * 2 - 1).replace("-", "");
    };
  }

  /**
   * Lists of the innermost level, once their size is known, are read a whole list at a time: every
   * spelling and spacing must still come out as the general path reads it, and anything irregular
   * (sizes, mixed levels, errors, runs of digits or spaces to the body's end) must leave it to the
   * byte-by-byte reader or the general path.
   */
  @Test
  void innermostListsReadAListAtATime() {
    String[] spellings = {"0", "-0", "0.0", "-0.0", "5", "-5", "12", "0.5", "-0.25", "1234567",
        "123456789012345", "1234567890123456", "0.000001", "99.99", "1e5", "1E-2", "1.5e3",
        "0.1234567", "-0.7654321", "12345678.1234567", "1.000000000000001"};
    String[] spaces = {"", " ", "\n\t ", "\r\n"};
    for (String number : spellings) {
      for (String space : spaces) {
        for (int size = 1; size <= 4; size++) {
          StringBuilder b = new StringBuilder("{\"instances\": [[");
          for (int list = 0; list < 40; list++) {
            b.append(list == 0 ? "" : "," + space).append('[').append(space);
            for (int k = 0; k < size; k++) {
              b.append(k == 0 ? "" : space + "," + space).append(number);
            }
            b.append(space).append(']');
          }
          fast(b.append("]]}").toString(), IMAGES);
        }
      }
    }
    String lists = "[1, 2], [3, 4], [5, 6], [7, 8], ";
    for (String odd : new String[] {"[9, 10, 11]", "[9]", "9", "[9, [10]]", "[9, 10],", "[1., 2]",
        "[01, 2]", "[-, 2]", "[1,, 2]", "[1 2]", "[1, 2] [3, 4]", "[NaN, 1]", "[1, \"2\"]",
        "[1, 2", "[1, 2]]]"}) {
      general("{\"instances\": [[" + lists.repeat(30) + odd + "]]}", IMAGES);
    }
    fast("{\"instances\": [[" + lists.repeat(30) + "[1e400, -1e-400]]]}", sig("d", DT_DOUBLE));
    general("{\"instances\": [[" + lists.repeat(30) + "[1, " + "7".repeat(300), IMAGES);
    general("{\"instances\": [[" + lists.repeat(30) + "[1, " + " ".repeat(300), IMAGES);
    general("{\"instances\": [[" + lists.repeat(30) + "[1, 2]" + " ".repeat(300), IMAGES);
    SplittableRandom r = new SplittableRandom(21);
    for (int round = 0; round < 20; round++) {
      int size = r.nextInt(1, 7);
      StringBuilder b = new StringBuilder("{\"inputs\": [");
      for (int outer = 0; outer < 50; outer++) {
        b.append(outer == 0 ? "[" : ", [");
        for (int list = 0; list < 40; list++) {
          b.append(list == 0 ? "[" : r.nextBoolean() ? ",[" : ",\n  [");
          for (int k = 0; k < size; k++) {
            b.append(k == 0 ? "" : r.nextBoolean() ? "," : ", ").append(r.nextInt(4) == 0
                ? randomNumber(r) : String.format("%." + r.nextInt(8) + "f", r.nextDouble() * 2 - 1));
          }
          b.append(']');
        }
        b.append(']');
      }
      fast(b.append("]}").toString(), IMAGES);
    }
  }

  /**
   * Long significands for float inputs are read in double arithmetic when that provably gives the
   * float the exact double gives: Python's 17-digit floats, and decimals placed right at (and one
   * digit either side of) the boundary between two floats, where the reader must defer to the exact
   * parser. Float, half and bfloat16 tensors must equal the general path's bit for bit; doubles are
   * never read that way.
   */
  @Test
  void longSignificandsForFloatInputsGiveTheExactDoublesFloat() {
    SplittableRandom r = new SplittableRandom(22);
    for (int round = 0; round < 12; round++) {
      StringBuilder b = new StringBuilder("{\"instances\": [");
      for (int i = 0; i < 3000; i++) {
        float f = Float.intBitsToFloat(r.nextInt(0x00800000, 0x7f000000));  // normal, not the top
        String number;
        if (r.nextBoolean()) {
          float pixel = Math.abs(r.nextInt(256) / 127.5f - 1f);  // as Python prints a float32
          number = Double.toString((double) pixel * (r.nextBoolean() ? 1 : f)).replace("E", "e");
        } else {  // the midpoint between f and the next float, to 16-20 digits, or one unit off
          java.math.BigDecimal mid = new java.math.BigDecimal((double) f)
              .add(new java.math.BigDecimal((double) Math.nextUp(f))).divide(java.math.BigDecimal.valueOf(2));
          java.math.BigDecimal rounded = mid.round(new java.math.MathContext(r.nextInt(16, 21)));
          java.math.BigDecimal unit = java.math.BigDecimal.ONE.scaleByPowerOfTen(
              rounded.scale() > 0 ? -rounded.scale() : 0);
          number = rounded.add(unit.multiply(java.math.BigDecimal.valueOf(r.nextInt(-1, 2))))
              .toString().replace("E+", "e").replace("E", "e");
        }
        b.append(i == 0 ? "" : ", ").append(r.nextInt(4) == 0 ? "-" : "").append(number);
      }
      String json = b.append("]}").toString();
      fast(json, IMAGES);
      fast(json, sig("h", DT_HALF));
      fast(json, sig("h", DT_BFLOAT16));
      fast(json, sig("d", DT_DOUBLE));
    }
  }

  /** A direct body much larger than the reader's window: values straddle every window edge. */
  @Test
  void largeDirectBodiesAcrossWindowEdges() {
    SplittableRandom r = new SplittableRandom(3);
    for (int pad = 0; pad < 7; pad++) {
      StringBuilder b = new StringBuilder("{" + " ".repeat(pad * 5) + "\"instances\": [");
      for (int item = 0; item < 40; item++) {
        b.append(item == 0 ? "" : ",").append("{\"images\": [");
        for (int i = 0; i < 300; i++) {
          b.append(i == 0 ? "" : ",  ").append('[').append(randomNumber(r)).append(", ")
              .append(r.nextFloat()).append(']');
        }
        b.append("]}");
      }
      fast(b.append("]}").toString(), IMAGES);
    }
  }

  /** More values than the first capacity guess: the buffer grows as it does value by value. */
  @Test
  void growsPastTheFirstCapacityGuess() {
    SignatureInputs two = sig("a", DT_FLOAT, "b", DT_HALF);
    fast("{\"instances\": [{\"b\": 1, \"a\": [" + "1,".repeat(20_000) + "1]}]}", two);
    fast("{\"inputs\": {\"b\": [" + "2,".repeat(5_000) + "2], \"a\": 0}}", two);
  }

  @Test
  void fastPathResultIsTheRequest() {
    try (PredictJsonRequest r = FloatListReader.read(ByteBuffer.wrap(
        "{\"instances\": [[0.5, -1], [2, 3e-1]]}".getBytes(StandardCharsets.UTF_8)), IMAGES)) {
      assertNotNull(r);
      assertEquals("serving_default", r.signatureName());
      InputTensor t = r.inputs().get("images");
      assertEquals("[2, 2]", Arrays.toString(t.shape()));
      assertEquals("[0.5, -1.0, 2.0, 0.3]", Arrays.toString(JsonTestSupport.floats(t)));
    }
    assertNull(FloatListReader.read(ByteBuffer.wrap("{\"instances\": [NaN]}"
        .getBytes(StandardCharsets.UTF_8)), IMAGES));
  }
}
