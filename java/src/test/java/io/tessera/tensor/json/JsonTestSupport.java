package io.tessera.tensor.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tessera.nativebridge.HostBuffer;
import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import io.tessera.tensor.DataType;
import io.tessera.tensor.InputTensor;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Helpers: signatures, reading bodies, and peeking into InputTensor (which has no getters). */
final class JsonTestSupport {
  private JsonTestSupport() {}

  /** serving_default with the given (alias, dtype) pairs, in order. */
  static SignatureInputs sig(Object... aliasDtype) {
    Map<String, DataType> m = new LinkedHashMap<>();
    for (int i = 0; i < aliasDtype.length; i += 2) {
      m.put((String) aliasDtype[i], (DataType) aliasDtype[i + 1]);
    }
    return sigs(Map.of("serving_default", m));
  }

  static SignatureInputs sigs(Map<String, Map<String, DataType>> all) {
    return name -> {
      Map<String, DataType> m = all.get(name);
      if (m == null) {
        throw ServingException.invalidArgument(
            "Serving signature name: \"" + name + "\" not found in signature def");
      }
      return m;
    };
  }

  static PredictJsonRequest read(String json, SignatureInputs s) {
    // Direct, as the REST transport aggregates bodies (BufferInput streams it, no heap copy).
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    return PredictJsonReader.read(ByteBuffer.allocateDirect(bytes.length).put(bytes).flip(), s);
  }

  /** Reads a body that must fail; checks that no native memory stayed allocated. */
  static ServingException fail(String json, SignatureInputs s) {
    long before = HostBuffer.liveBytes();
    ServingException e = assertThrows(ServingException.class, () -> read(json, s).close());
    assertEquals(before, HostBuffer.liveBytes(), "native memory leaked by a failed read");
    return e;
  }

  static String failMessage(String json, SignatureInputs s) {
    ServingException e = fail(json, s);
    assertEquals(StatusCode.INVALID_ARGUMENT, e.code(), e.getMessage());
    return e.getMessage();
  }

  private static Object field(InputTensor t, String name) {
    try {
      Field f = InputTensor.class.getDeclaredField(name);
      f.setAccessible(true);
      return f.get(t);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  static ByteBuffer dense(InputTensor t) {
    HostBuffer b = (HostBuffer) field(t, "buffer");
    int off = (int) (long) (Long) field(t, "offset");
    ByteBuffer d = b.data().duplicate();
    d.position(off).limit(off + (int) t.byteSize());
    return d.slice().order(ByteOrder.LITTLE_ENDIAN);
  }

  static float[] floats(InputTensor t) {
    ByteBuffer d = dense(t);
    float[] out = new float[d.remaining() / 4];
    d.asFloatBuffer().get(out);
    return out;
  }

  static double[] doubles(InputTensor t) {
    ByteBuffer d = dense(t);
    double[] out = new double[d.remaining() / 8];
    d.asDoubleBuffer().get(out);
    return out;
  }

  static long[] longs(InputTensor t) {
    ByteBuffer d = dense(t);
    long[] out = new long[d.remaining() / 8];
    d.asLongBuffer().get(out);
    return out;
  }

  static int[] ints(InputTensor t) {
    ByteBuffer d = dense(t);
    int[] out = new int[d.remaining() / 4];
    d.asIntBuffer().get(out);
    return out;
  }

  static List<String> strings(InputTensor t) {
    ByteBuffer blob = ((ByteBuffer) field(t, "stringBlob")).duplicate();
    long[] lengths = (long[]) field(t, "stringLengths");
    List<String> out = new ArrayList<>();
    for (long n : lengths) {
      byte[] b = new byte[(int) n];
      blob.get(b);
      out.add(new String(b, StandardCharsets.UTF_8));
    }
    return out;
  }
}
