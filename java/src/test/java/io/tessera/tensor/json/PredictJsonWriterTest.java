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
import static io.tessera.tensor.DataType.DT_UINT8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tessera.status.ServingException;
import io.tessera.tensor.DataType;
import io.tessera.tensor.HalfFloats;
import io.tessera.tensor.OutputTensor;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class PredictJsonWriterTest {
  private static OutputTensor floats(String alias, long[] shape, float... v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : v) {
      b.putFloat(f);
    }
    return new OutputTensor(alias, DT_FLOAT, shape, b.flip(), null, 0);
  }

  private static OutputTensor longs(String alias, DataType dtype, long[] shape, long... v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * dtype.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
    for (long x : v) {
      switch (dtype.byteSize()) {
        case 1 -> b.put((byte) x);
        case 2 -> b.putShort((short) x);
        case 4 -> b.putInt((int) x);
        default -> b.putLong(x);
      }
    }
    return new OutputTensor(alias, dtype, shape, b.flip(), null, 0);
  }

  private static String json(boolean row, OutputTensor... outputs) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PredictJsonWriter.write(out, List.of(outputs), row, (t, i) -> ("s" + i).getBytes());
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void halfPlusTwoRepliesByteForByte() {
    OutputTensor y = floats("y", new long[] {3}, 3.0f, 3.5f, 4.0f);
    assertEquals("{\n    \"predictions\": [3.0, 3.5, 4.0\n    ]\n}", json(true, y));
    assertEquals("{\n    \"outputs\": [\n        3.0,\n        3.5,\n        4.0\n    ]\n}",
        json(false, y));
    OutputTensor y2 = floats("y", new long[] {2, 2}, 2.5f, 3.0f, 3.5f, 4.0f);
    assertEquals("{\n    \"predictions\": [[2.5, 3.0], [3.5, 4.0]\n    ]\n}", json(true, y2));
    assertEquals("{\n    \"outputs\": [\n        [\n            2.5,\n            3.0\n        ],\n"
        + "        [\n            3.5,\n            4.0\n        ]\n    ]\n}", json(false, y2));
    OutputTensor scalar = floats("y", new long[] {}, 3.0f);
    assertEquals("{\n    \"outputs\": 3.0\n}", json(false, scalar));
  }

  @Test
  void multipleOutputs() {
    OutputTensor a = floats("a", new long[] {2, 2}, 1, 2, 3, 4);
    OutputTensor b = longs("b", DT_INT64, new long[] {2}, 5, -6);
    assertEquals("{\n    \"predictions\": [\n        {\n            \"a\": [1.0, 2.0],\n"
        + "            \"b\": 5\n        },\n        {\n            \"a\": [3.0, 4.0],\n"
        + "            \"b\": -6\n        }\n    ]\n}", json(true, a, b));
    assertEquals("{\n    \"outputs\": {\n        \"a\": [\n            [\n                1.0,\n"
        + "                2.0\n            ],\n            [\n                3.0,\n"
        + "                4.0\n            ]\n        ],\n        \"b\": [\n            5,\n"
        + "            -6\n        ]\n    }\n}", json(false, a, b));
  }

  @Test
  void rowFormatErrorsAndEmptyBatches() {
    OutputTensor a = floats("a", new long[] {2}, 1, 2);
    OutputTensor b = floats("b", new long[] {3}, 1, 2, 3);
    ServingException e = assertThrows(ServingException.class, () -> json(true, a, b));
    assertEquals("Tensor name: b has inconsistent batch size: 3 expecting: 2", e.getMessage());
    e = assertThrows(ServingException.class, () -> json(true, floats("y", new long[] {}, 1)));
    assertEquals("Tensor name: y has no shape information ", e.getMessage());
    e = assertThrows(ServingException.class, () -> json(true));
    assertEquals("Cannot convert empty tensor map to JSON", e.getMessage());
    assertEquals("{\n    \"predictions\": []\n}", json(true, floats("y", new long[] {0, 2})));
    assertEquals("{\n    \"predictions\": []\n}",
        json(true, floats("y", new long[] {0, 2}), floats("z", new long[] {0})));
  }

  @Test
  void valueFormats() {
    OutputTensor f = floats("f", new long[] {2, 2}, Float.NaN, Float.POSITIVE_INFINITY, 3f,
        Float.NEGATIVE_INFINITY);
    assertEquals("{\n    \"predictions\": [[NaN, Infinity], [3.0, -Infinity]\n    ]\n}", json(true, f));
    OutputTensor six = floats("f", new long[] {6}, 9000000f, 999999f, 0.5f, 0.0003f, 0.00003f, 555557.5f);
    assertEquals("{\n    \"predictions\": [9e+06, 999999.0, 0.5, 0.0003, 3e-05, 555557.5\n    ]\n}",
        json(true, six));
    assertEquals("{\n    \"predictions\": [18446744073709551615, 1\n    ]\n}",
        json(true, longs("u", DT_UINT64, new long[] {2}, -1, 1)));
    assertEquals("{\n    \"predictions\": [255, 7\n    ]\n}",
        json(true, longs("u", DT_UINT8, new long[] {2}, 255, 7)));
    assertEquals("{\n    \"predictions\": [-2147483648\n    ]\n}",
        json(true, longs("i", DT_INT32, new long[] {1}, Integer.MIN_VALUE)));
    assertEquals("{\n    \"predictions\": [true, false\n    ]\n}",
        json(true, longs("b", DT_BOOL, new long[] {2}, 1, 0)));
    ByteBuffer d = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.1).putDouble(1.0 / 3);
    assertEquals("{\n    \"predictions\": [0.1, 0.33333333333333331\n    ]\n}",
        json(true, new OutputTensor("d", DT_DOUBLE, new long[] {2}, d.flip(), null, 0)));
    ByteBuffer h = ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort(HalfFloats.toHalf(1.5f));
    assertEquals("{\n    \"predictions\": [1.5\n    ]\n}",
        json(true, new OutputTensor("h", DT_HALF, new long[] {1}, h.flip(), null, 0)));
    ByteBuffer c = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putFloat(1).putFloat(-2)
        .putFloat(0.5f).putFloat(0);
    assertEquals("{\n    \"predictions\": [[1.0, -2.0], [0.5, 0.0]\n    ]\n}",
        json(true, new OutputTensor("c", DT_COMPLEX64, new long[] {2}, c.flip(), null, 0)));
  }

  @Test
  void stringsAndBytes() {
    OutputTensor s = new OutputTensor("s", DT_STRING, new long[] {2}, ByteBuffer.allocate(0), null, 0);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[][] values = {"a\"b\\\n\u0001".getBytes(StandardCharsets.UTF_8),
        "h\u00e9".getBytes(StandardCharsets.UTF_8)};
    PredictJsonWriter.write(out, List.of(s), true, (t, i) -> values[(int) i]);
    assertEquals("{\n    \"predictions\": [\"a\\\"b\\\\\\n\\u0001\", \"h\u00e9\"\n    ]\n}",
        out.toString(StandardCharsets.UTF_8));

    OutputTensor bytes = new OutputTensor("str_tensor_bytes", DT_STRING, new long[] {2, 2},
        ByteBuffer.allocate(0), null, 0);
    String[] words = {"hello", "world", "tf", "serving"};
    out.reset();
    PredictJsonWriter.write(out, List.of(bytes), true, (t, i) -> words[(int) i].getBytes());
    assertEquals("{\n    \"predictions\": [[{\n                \"b64\": \"aGVsbG8=\"\n            }, {\n"
        + "                \"b64\": \"d29ybGQ=\"\n            }], [{\n                \"b64\": \"dGY=\"\n"
        + "            }, {\n                \"b64\": \"c2VydmluZw==\"\n            }]\n    ]\n}",
        out.toString(StandardCharsets.UTF_8));
  }
}
