package io.tessera.tensor.json;

import static io.tessera.tensor.DataType.DT_BOOL;
import static io.tessera.tensor.DataType.DT_COMPLEX64;
import static io.tessera.tensor.DataType.DT_DOUBLE;
import static io.tessera.tensor.DataType.DT_FLOAT;
import static io.tessera.tensor.DataType.DT_HALF;
import static io.tessera.tensor.DataType.DT_INT32;
import static io.tessera.tensor.DataType.DT_INT64;
import static io.tessera.tensor.DataType.DT_STRING;
import static io.tessera.tensor.DataType.DT_UINT64;
import static io.tessera.tensor.json.JsonTestSupport.dense;
import static io.tessera.tensor.json.JsonTestSupport.doubles;
import static io.tessera.tensor.json.JsonTestSupport.floats;
import static io.tessera.tensor.json.JsonTestSupport.ints;
import static io.tessera.tensor.json.JsonTestSupport.longs;
import static io.tessera.tensor.json.JsonTestSupport.read;
import static io.tessera.tensor.json.JsonTestSupport.sig;
import static io.tessera.tensor.json.JsonTestSupport.sigs;
import static io.tessera.tensor.json.JsonTestSupport.strings;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.nativebridge.HostBuffer;
import io.tessera.tensor.DataType;
import io.tessera.tensor.HalfFloats;
import io.tessera.tensor.InputTensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PredictJsonReaderTest {
  private static final SignatureInputs X_FLOAT = sig("x", DT_FLOAT);

  @Test
  void rowAndColumnarHalfPlusTwo() {
    try (PredictJsonRequest r = read("{\"instances\": [2.0, 3.0, 4.0]}", X_FLOAT)) {
      assertEquals("serving_default", r.signatureName());
      assertTrue(r.rowFormat());
      InputTensor x = r.inputs().get("x");
      assertArrayEquals(new long[] {3}, x.shape());
      assertArrayEquals(new float[] {2, 3, 4}, floats(x));
    }
    try (PredictJsonRequest r = read("{\"inputs\": [2.0, 3.0, 4.0]}", X_FLOAT)) {
      assertFalse(r.rowFormat());
      assertArrayEquals(new long[] {3}, r.inputs().get("x").shape());
    }
    try (PredictJsonRequest r = read("{\"instances\": [[1.0, 2.0], [3.0, 4.0]]}", X_FLOAT)) {
      assertArrayEquals(new long[] {2, 2}, r.inputs().get("x").shape());
      assertArrayEquals(new float[] {1, 2, 3, 4}, floats(r.inputs().get("x")));
    }
  }

  @Test
  void mixedIntegersAndDecimalsNonFiniteAndRanges() {
    String body = "{\"instances\": [1, 2.0, 3, 5.003, 0.007, NaN, Infinity, -Infinity, 1.7976931348623157e308, 1e-400, 1435774380]}";
    try (PredictJsonRequest r = read(body, X_FLOAT)) {
      float[] f = floats(r.inputs().get("x"));
      assertArrayEquals(new float[] {1, 2, 3, 5.003f, 0.007f, Float.NaN, Float.POSITIVE_INFINITY,
          Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, 0f, 1435774380f}, f);
    }
    try (PredictJsonRequest r = read("{\"inputs\": [1.0, 2, 0.662, 1.7976931348623157e308]}",
        sig("d", DT_DOUBLE))) {
      assertArrayEquals(new double[] {1, 2, 0.662, Double.MAX_VALUE}, doubles(r.inputs().get("d")));
    }
  }

  @Test
  void int64AndUint64KeepFullPrecision() {
    try (PredictJsonRequest r = read("{\"inputs\": [9007199254740993, -9223372036854775808, "
        + "9223372036854775807]}", sig("i", DT_INT64))) {
      assertArrayEquals(new long[] {9007199254740993L, Long.MIN_VALUE, Long.MAX_VALUE},
          longs(r.inputs().get("i")));
    }
    try (PredictJsonRequest r = read("{\"inputs\": [18446744073709551615, 9223372036854775808, 1]}",
        sig("u", DT_UINT64))) {
      assertArrayEquals(new long[] {-1L, Long.MIN_VALUE, 1L}, longs(r.inputs().get("u")));
    }
    assertEquals("JSON Value: -1 Type: Number is not of expected type: uint64",
        JsonTestSupport.failMessage("{\"inputs\": [-1]}", sig("u", DT_UINT64)));
    assertEquals("JSON Value: 18446744073709552000.0 Type: Number is not of expected type: int64",
        JsonTestSupport.failMessage("{\"inputs\": 18446744073709551616}", sig("i", DT_INT64)));
  }

  @Test
  void multipleNamedInputsRowFormat() {
    SignatureInputs s = sig("int_tensor", DT_INT32, "str_tensor", DT_STRING, "f", DT_FLOAT, "b", DT_BOOL);
    String body = "{\"instances\": ["
        + "{\"int_tensor\": [[1,2],[3,4],[5,6]], \"str_tensor\": [\"foo\", \"bar\"], \"f\": 1.5, \"b\": true},"
        + "{\"str_tensor\": [\"baz\", {\"b64\": \"YmF0\"}], \"int_tensor\": [[7,8],[9,0],[1,2]], \"f\": NaN, \"b\": false}"
        + "]}";
    try (PredictJsonRequest r = read(body, s)) {
      assertEquals(List.of("int_tensor", "str_tensor", "f", "b"), List.copyOf(r.inputs().keySet()));
      assertArrayEquals(new long[] {2, 3, 2}, r.inputs().get("int_tensor").shape());
      assertArrayEquals(new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2}, ints(r.inputs().get("int_tensor")));
      assertArrayEquals(new long[] {2, 2}, r.inputs().get("str_tensor").shape());
      assertEquals(List.of("foo", "bar", "baz", "bat"), strings(r.inputs().get("str_tensor")));
      assertArrayEquals(new long[] {2}, r.inputs().get("f").shape());
      assertEquals(2, dense(r.inputs().get("b")).remaining());
      assertEquals(1, dense(r.inputs().get("b")).get(0));
    }
  }

  @Test
  void columnarNamedInputsAndBase64() {
    SignatureInputs s = sig("int_tensor", DT_INT32, "str_tensor", DT_STRING, "bin_tensor", DT_STRING);
    String body = "{\"inputs\": {\"extra\": [1], \"int_tensor\": [[1,2],[3,4]], "
        + "\"str_tensor\": [\"foo\", \"bar\"], \"bin_tensor\": {\"b64\": \"aGVsbG8=\"}}}";
    try (PredictJsonRequest r = read(body, s)) {
      assertArrayEquals(new long[] {2, 2}, r.inputs().get("int_tensor").shape());
      assertArrayEquals(new long[] {}, r.inputs().get("bin_tensor").shape());
      assertEquals(List.of("hello"), strings(r.inputs().get("bin_tensor")));
    }
    SignatureInputs str = sig("s", DT_STRING);
    try (PredictJsonRequest r = read("{\"instances\": [{\"b64\": \"aGVsbG8=\"}, {\"b64\": \"d29ybGQ=\"}]}", str)) {
      assertArrayEquals(new long[] {2}, r.inputs().get("s").shape());
      assertEquals(List.of("hello", "world"), strings(r.inputs().get("s")));
    }
    try (PredictJsonRequest r = read("{\"instances\": [[{\"b64\": \"aGk=\"}], [\"h\u00e9\"]]}", str)) {
      assertArrayEquals(new long[] {2, 1}, r.inputs().get("s").shape());
      assertEquals(List.of("hi", "h\u00e9"), strings(r.inputs().get("s")));
    }
    // An input literally named "b64" goes through the exact path and still works.
    try (PredictJsonRequest r = read("{\"instances\": [{\"b64\": [1, 2]}]}", sig("b64", DT_INT32))) {
      assertArrayEquals(new long[] {1, 2}, r.inputs().get("b64").shape());
    }
  }

  @Test
  void signatureNameBeforeOrAfterTheData() {
    SignatureInputs s = sigs(Map.of("serving_default", Map.of("x", DT_FLOAT),
        "other", Map.of("y", DT_INT64)));
    try (PredictJsonRequest r = read("{\"instances\": [[1, 2]], \"signature_name\": \"other\"}", s)) {
      assertEquals("other", r.signatureName());
      assertArrayEquals(new long[] {1, 2}, r.inputs().get("y").shape());
      assertArrayEquals(new long[] {1, 2}, longs(r.inputs().get("y")));
    }
    try (PredictJsonRequest r = read("{\"signature_name\": \"other\", \"inputs\": 7}", s)) {
      assertArrayEquals(new long[] {7}, longs(r.inputs().get("y")));
    }
    try (PredictJsonRequest r = read("{\"inputs\": [1.5], \"signature_name\": \"serving_default\"}", s)) {
      assertArrayEquals(new float[] {1.5f}, floats(r.inputs().get("x")));
    }
    // Data that fits the default signature but not the named one: the named one decides.
    assertEquals("JSON Value: 1.5 Type: Number is not of expected type: int64",
        JsonTestSupport.failMessage("{\"inputs\": [1.5], \"signature_name\": \"other\"}", s));
    assertEquals("Serving signature name: \"nope\" not found in signature def",
        JsonTestSupport.failMessage("{\"inputs\": [1], \"signature_name\": \"nope\"}", s));
  }

  @Test
  void extensionsHalfAndComplex() {
    try (PredictJsonRequest r = read("{\"inputs\": [1.5, 2]}", sig("h", DT_HALF))) {
      assertEquals(HalfFloats.toHalf(1.5f), dense(r.inputs().get("h")).getShort(0));
    }
    try (PredictJsonRequest r = read("{\"instances\": [[[1, 2]], [[3.5, -1]]]}", sig("c", DT_COMPLEX64))) {
      assertArrayEquals(new long[] {2, 1}, r.inputs().get("c").shape());
      assertArrayEquals(new float[] {1, 2, 3.5f, -1}, floats(r.inputs().get("c")));
    }
    try (PredictJsonRequest r = read("{\"inputs\": [1, 2]}", sig("c", DT_COMPLEX64))) {
      assertArrayEquals(new long[] {}, r.inputs().get("c").shape());
    }
    assertEquals("JSON Value: [1, 2, 3] Type: Array is not of expected type: complex64",
        JsonTestSupport.failMessage("{\"inputs\": [[1, 2, 3]]}", sig("c", DT_COMPLEX64)));
  }

  @Test
  void trailingBytesAfterTheObjectAreIgnoredLikeTfServing() {
    try (PredictJsonRequest r = read("{\"instances\": [1]} trailing garbage", X_FLOAT)) {
      assertArrayEquals(new long[] {1}, r.inputs().get("x").shape());
    }
  }

  @Test
  void deepNestingOutsideTheDataIsFine() {
    String body = "{\"instances\":[1], \"nested\":" + "[".repeat(500000) + "]".repeat(500000) + "}";
    try (PredictJsonRequest r = read(body, sig("x", DT_INT32))) {
      assertEquals(1, r.inputs().size());
    }
    String bad = "{\"signature_name\":" + "[".repeat(500000) + "]".repeat(500000) + "}";
    assertTrue(JsonTestSupport.failMessage(bad, sig("x", DT_INT32))
        .endsWith("not formatted correctly. 'signature_name' key must be a string value."));
  }

  @Test
  void failedReadsFreeTheirNativeMemory() {
    long before = HostBuffer.liveBytes();
    StringBuilder big = new StringBuilder("{\"instances\": [");
    for (int i = 0; i < 100_000; i++) {
      big.append(i).append(".5, ");
    }
    big.append("\"x\"]}");
    JsonTestSupport.fail(big.toString(), X_FLOAT);
    JsonTestSupport.fail(big.toString().replace("{\"instances\"", "{\"signature_name\": 1, \"instances\""), X_FLOAT);
    String two = "{\"instances\": [{\"a\": [1, 2], \"b\": \"s\"}, {\"a\": [3], \"b\": \"t\"}]}";
    JsonTestSupport.fail(two, sig("a", DT_FLOAT, "b", DT_STRING));
    String cols = "{\"inputs\": {\"a\": [1, 2], \"b\": [[1], [2, 3]]}}";
    JsonTestSupport.fail(cols, sig("a", DT_FLOAT, "b", DT_FLOAT));
    assertEquals(before, HostBuffer.liveBytes());
  }

  @Test
  void unsupportedDtypeIsUnimplemented() {
    java.util.Map<String, DataType> m = new java.util.LinkedHashMap<>();
    m.put("q", null);
    var e = JsonTestSupport.fail("{\"inputs\": [1]}", sigs(Map.of("serving_default", m)));
    assertEquals(io.tessera.status.StatusCode.UNIMPLEMENTED, e.code());
    assertEquals("Conversion of JSON Value: 1 to type: unsupported dtype", e.getMessage());
  }
}
