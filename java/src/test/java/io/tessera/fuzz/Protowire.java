package io.tessera.fuzz;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Hand-written protobuf bytes that the generated builders cannot produce: shape dims as raw
 * 64-bit varints (negative, 2^63, 10-byte encodings), ranks far above 254, length prefixes longer
 * than the message, invalid wire types, field number 0, deep nesting, map entries without keys,
 * and plain random bytes. Field numbers are TF Serving's: PredictRequest{model_spec=1, inputs=2
 * (map entry key=1 value=2), output_filter=3}, ModelSpec{name=1}, TensorProto{dtype=1,
 * tensor_shape=2, tensor_content=4, float_val=5, string_val=8}, TensorShapeProto{dim=2{size=1},
 * unknown_rank=3}.
 */
final class Protowire {
  private Protowire() {}

  static byte[] hostile(SplittableRandom r, List<String> log) {
    switch (r.nextInt(8)) {
      case 0 -> {
        int n = r.nextInt(2048);
        log.add("random " + n + " B");
        return Mutators.randomBytes(r, n);
      }
      case 1, 2 -> {
        int rank = r.nextInt(3) == 0 ? 255 + r.nextInt(2000) : 1 + r.nextInt(4);
        long[] dims = new long[rank];
        long[] odd = {-1, -2, Long.MIN_VALUE, Long.MAX_VALUE, 1L << 62, 1L << 33, 0, 1, 2, 3};
        for (int i = 0; i < rank; i++) {
          dims[i] = odd[r.nextInt(odd.length)];
        }
        int floats = r.nextInt(8);
        boolean content = r.nextBoolean();
        log.add("varint shape rank " + rank + (rank < 6 ? " " + java.util.Arrays.toString(dims) : "")
            + (content ? " content " : " float_val ") + floats);
        return predict(model(r), "x", 1, dims, floats, content);
      }
      case 3 -> {
        log.add("length prefix past end");
        // an inputs entry (field 2) claiming ~4 GiB, followed by a valid request's bytes
        return Mutators.concat(new byte[] {0x12, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f},
            predict(model(r), "x", 1, new long[] {2}, 2, false));
      }
      case 4 -> {
        log.add("bad wire type / field 0");
        byte[][] odd = {{0x00, 0x01}, {0x0f}, {0x17, 0x00}, {0x0e}, {(byte) 0x80, (byte) 0x80, (byte) 0x80}};
        return Mutators.concat(predict(model(r), "x", 1, new long[] {1}, 1, false), odd[r.nextInt(odd.length)]);
      }
      case 5 -> {
        int depth = r.nextBoolean() ? 100 + r.nextInt(50) : 10_000;
        log.add("nested unknown groups " + depth);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < depth; i++) {
          b.write(0x2b);  // field 5, start group (unknown in PredictRequest)
        }
        for (int i = 0; i < depth; i++) {
          b.write(0x2c);  // end group
        }
        return b.toByteArray();
      }
      case 6 -> {
        log.add("map entry without key / value");
        return Mutators.concat(spec(model(r)), new byte[] {0x12, 0x00, 0x12, 0x02, 0x12, 0x00});
      }
      default -> {
        int rank = 1 + r.nextInt(3);
        long[] dims = new long[rank];
        for (int i = 0; i < rank; i++) {
          dims[i] = 1L << (20 + r.nextInt(30));
        }
        log.add("huge product " + java.util.Arrays.toString(dims) + " dtype string");
        return predict(model(r), "x", 7, dims, 0, false);
      }
    }
  }

  private static String model(SplittableRandom r) {
    return r.nextInt(4) == 0 ? FuzzCases.MOBILENET : FuzzCases.HALF_PLUS_TWO;
  }

  static byte[] spec(String model) {
    return message(o -> o.writeBytes(1, bytes(o2 -> o2.writeString(1, model))));
  }

  /** A PredictRequest with one input whose shape dims are written verbatim as varints. */
  static byte[] predict(String model, String input, int dtype, long[] dims, int floats, boolean content) {
    byte[] shape = message(s -> {
      for (long d : dims) {
        s.writeBytes(2, bytes(dim -> {
          dim.writeTag(1, 0);
          dim.writeUInt64NoTag(d);
        }));
      }
    });
    byte[] tensor = message(t -> {
      t.writeInt32(1, dtype);
      t.writeBytes(2, ByteString.copyFrom(shape));
      if (content) {
        t.writeBytes(4, ByteString.copyFrom(new byte[floats * 4]));
      } else {
        for (int i = 0; i < floats; i++) {
          t.writeFloat(5, i);
        }
      }
    });
    byte[] entry = message(e -> {
      e.writeString(1, input);
      e.writeBytes(2, ByteString.copyFrom(tensor));
    });
    return message(o -> {
      o.writeBytes(1, bytes(m -> m.writeString(1, model)));
      o.writeBytes(2, ByteString.copyFrom(entry));
    });
  }

  interface Writer {
    void write(CodedOutputStream out) throws IOException;
  }

  static ByteString bytes(Writer w) {
    return ByteString.copyFrom(message(w));
  }

  static byte[] message(Writer w) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(b);
    try {
      w.write(out);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return b.toByteArray();
  }
}
