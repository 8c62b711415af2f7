package io.tessera.tensor.json;

import io.tessera.status.ServingException;
import io.tessera.tensor.DataType;
import io.tessera.tensor.OutputTensor;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.List;

/**
 * Writes a REST predict response as TF Serving's {@code MakeJsonFromTensors} does, byte for byte
 * (rapidjson PrettyWriter; row format switches to single-line arrays per row, columnar does not).
 * Beyond TF Serving, half/bfloat16 (as floats), uint16 and complex ({@code [re, im]}) are written.
 */
public final class PredictJsonWriter {
  private PredictJsonWriter() {}

  /**
   * @param outputs output tensors in response order (TF Serving: its output map's order)
   * @param rowFormat true for {@code {"predictions": ...}}, false for {@code {"outputs": ...}}
   * @throws ServingException (INVALID_ARGUMENT) before anything is written, for no outputs or, in
   *     row format, a scalar output or outputs whose first dimensions differ
   */
  public static void write(OutputStream out, List<OutputTensor> outputs, boolean rowFormat) {
    write(out, outputs, rowFormat, OutputTensor::getString, List.of());
  }

  /** A Tessera extension member appended after TF Serving's one (e.g. {@code "top_k"}), as raw JSON. */
  public record ExtraMember(String key, String rawJson) {}

  /** As {@link #write(OutputStream, List, boolean)}, plus extension members clients opted into. */
  public static void write(OutputStream out, List<OutputTensor> outputs, boolean rowFormat,
      List<ExtraMember> extras) {
    write(out, outputs, rowFormat, OutputTensor::getString, extras);
  }

  /** Where DT_STRING elements come from (tests substitute a fake for the native run). */
  interface Strings {
    byte[] get(OutputTensor tensor, long element);
  }

  static void write(OutputStream out, List<OutputTensor> outputs, boolean rowFormat,
      Strings strings) {
    write(out, outputs, rowFormat, strings, List.of());
  }

  private static void write(OutputStream out, List<OutputTensor> outputs, boolean rowFormat,
      Strings strings, List<ExtraMember> extras) {
    if (outputs.isEmpty()) {
      throw ServingException.invalidArgument("Cannot convert empty tensor map to JSON");
    }
    RapidPrettyWriter w = new RapidPrettyWriter(out);
    if (rowFormat) {
      writeRows(w, outputs, strings);
    } else {
      writeColumns(w, outputs, strings);
    }
    for (ExtraMember extra : extras) {
      w.key(extra.key());
      w.rawNumber(extra.rawJson());
    }
    w.endObject();
    w.finish();
  }

  private static void writeRows(RapidPrettyWriter w, List<OutputTensor> outputs, Strings strings) {
    long batch = -1;
    for (OutputTensor t : outputs) {
      if (t.rank() == 0) {
        throw ServingException.invalidArgument("Tensor name: " + t.alias()
            + " has no shape information ");
      }
      long b = t.dim(0);
      if (batch >= 0 && batch != b) {
        throw ServingException.invalidArgument("Tensor name: " + t.alias()
            + " has inconsistent batch size: " + b + " expecting: " + batch);
      }
      batch = b;
    }
    boolean objects = outputs.size() > 1;
    Values[] values = new Values[outputs.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = new Values(outputs.get(i), strings);
    }
    w.startObject();
    w.key("predictions");
    w.startArray();
    for (long item = 0; item < batch; item++) {
      if (objects) {
        w.startObject();
      }
      w.setSingleLineArray(true);
      for (Values v : values) {
        if (objects) {
          w.key(v.tensor.alias());
        }
        v.write(w, 1);
      }
      w.setSingleLineArray(false);
      if (objects) {
        w.endObject();
      }
    }
    w.endArray();
  }

  private static void writeColumns(RapidPrettyWriter w, List<OutputTensor> outputs,
      Strings strings) {
    boolean objects = outputs.size() > 1;
    w.startObject();
    w.key("outputs");
    if (objects) {
      w.startObject();
    }
    for (OutputTensor t : outputs) {
      if (objects) {
        w.key(t.alias());
      }
      new Values(t, strings).write(w, 0);
    }
    if (objects) {
      w.endObject();
    }
  }

  /** Sequential reader of one tensor's elements (TF Serving's per-tensor offset). */
  private static final class Values {
    final OutputTensor tensor;
    final DataType dtype;
    final long[] shape;
    final boolean bytes;
    final ByteBuffer data;
    final Strings strings;
    long next;

    Values(OutputTensor t, Strings strings) {
      tensor = t;
      this.strings = strings;
      dtype = t.dtype();
      shape = t.shape();
      bytes = dtype == DataType.DT_STRING && t.alias().endsWith("_bytes");
      data = dtype.isString() ? null : t.data().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** TF Serving's AddTensorValues: nested lists from dimension {@code dim} on. */
    void write(RapidPrettyWriter w, int dim) {
      if (dim > shape.length - 1) {
        element(w);
        return;
      }
      w.startArray();
      if (dim == shape.length - 1) {
        row(w, shape[dim]);
      } else {
        for (long i = 0; i < shape[dim]; i++) {
          write(w, dim + 1);
        }
      }
      w.endArray();
    }

    /** The innermost list's elements: one loop per dtype for floats, the common large output. */
    private void row(RapidPrettyWriter w, long count) {
      if (dtype == DataType.DT_FLOAT) {
        int at = Math.toIntExact(next * 4);
        int end = Math.toIntExact((next + count) * 4);
        for (; at < end; at += 4) {
          w.floatValue(data.getFloat(at));
        }
        next += count;
        return;
      }
      for (long i = 0; i < count; i++) {
        element(w);
      }
    }

    private void element(RapidPrettyWriter w) {
      long i = next++;
      int at = Math.toIntExact(i * Math.max(1, dtype.byteSize()));
      switch (dtype) {
        case DT_FLOAT -> w.floatValue(data.getFloat(at));
        case DT_DOUBLE -> w.rawNumber(FloatText.ofDouble(data.getDouble(at)));
        case DT_HALF, DT_BFLOAT16 -> w.floatValue(tensor.getHalfAsFloat(i));
        case DT_INT8, DT_UINT8, DT_INT16, DT_UINT16, DT_INT32, DT_UINT32, DT_INT64 ->
            w.longValue(tensor.getLong(i));
        case DT_UINT64 -> w.unsignedLongValue(data.getLong(at));
        case DT_BOOL -> w.bool(data.get(at) != 0);
        case DT_COMPLEX64 -> {
          w.startArray();
          w.floatValue(data.getFloat(at));
          w.floatValue(data.getFloat(at + 4));
          w.endArray();
        }
        case DT_COMPLEX128 -> {
          w.startArray();
          w.rawNumber(FloatText.ofDouble(data.getDouble(at)));
          w.rawNumber(FloatText.ofDouble(data.getDouble(at + 8)));
          w.endArray();
        }
        case DT_STRING -> {
          byte[] s = strings.get(tensor, i);
          if (bytes) {
            w.startObject();
            w.key("b64");
            w.string(Base64.getEncoder().encode(s));
            w.endObject();
          } else {
            w.string(s);
          }
        }
      }
    }
  }
}
