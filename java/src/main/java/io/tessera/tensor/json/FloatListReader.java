package io.tessera.tensor.json;

import io.tessera.status.ServingException;
import io.tessera.tensor.DataType;
import io.tessera.tensor.InputTensor;
import io.tessera.tensor.TensorBuilder;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fastest path, for the commonest request: a body whose members are only {@code instances}
 * or {@code inputs} (and {@code signature_name}) holding lists of plain numbers for float, double,
 * half or bfloat16 inputs, read from the bytes without a tokenizer. It gives the tensors that
 * {@link FastFill} gives for such a body; for anything else (other members or dtypes, strings
 * with escapes, NaN/Infinity, long numbers, any error or odd layout) it frees what it built and
 * returns null, and the caller reads the body with the general path, which finds TF Serving's
 * result or error. Errors of building a tensor (memory budget, shape) are thrown as the general
 * path throws them at the same point.
 */
final class FloatListReader {
  private final JsonBytes in;
  private final int length;
  private String[] names;
  private DataType[] dtypes;
  private TensorBuilder[] builders;
  private long capacity;
  private long[] dims = new long[8];
  private long[] counts = new long[8];
  private final double[] pending = new double[512];
  private int pendingCount;

  private FloatListReader(ByteBuffer body) {
    in = new JsonBytes(body);
    length = body.remaining();
  }

  /** The request, or null when the general path must read this body. */
  static PredictJsonRequest read(ByteBuffer body, SignatureInputs signatures) {
    FloatListReader r = new FloatListReader(body);
    try {
      return r.root(signatures);
    } catch (FastFill.Fallback f) {
      return null;
    } finally {
      r.closeBuilders();
    }
  }

  private PredictJsonRequest root(SignatureInputs signatures) {
    in.expect('{');
    String sig = null;
    String inlineSig = null;
    Boolean row = null;
    Map<String, InputTensor> tensors = null;
    try {
      do {
        String key = in.plainString();
        in.expect(':');
        switch (key) {
          case "signature_name" -> {
            if (sig != null) {
              throw FastFill.Fallback.INSTANCE;
            }
            sig = in.plainString();
          }
          case "instances", "inputs" -> {
            if (row != null) {
              throw FastFill.Fallback.INSTANCE;
            }
            row = key.equals("instances");
            inlineSig = effectiveName(sig);
            start(signatures, inlineSig);
            tensors = row ? rows() : columns();
          }
          default -> throw FastFill.Fallback.INSTANCE;
        }
        int c = in.peek();
        in.pos++;
        if (c == '}') {
          break;
        }
        if (c != ',') {
          throw FastFill.Fallback.INSTANCE;
        }
      } while (true);
      if (row == null || !effectiveName(sig).equals(inlineSig)) {
        throw FastFill.Fallback.INSTANCE;
      }
      PredictJsonRequest request = new PredictJsonRequest(inlineSig, row, tensors);
      tensors = null;
      return request;
    } finally {
      if (tensors != null) {
        tensors.values().forEach(InputTensor::close);
      }
    }
  }

  /** Takes the signature's inputs if all are float-like; the reader is at the data value. */
  private void start(SignatureInputs signatures, String signature) {
    Map<String, DataType> inputs;
    try {
      inputs = signatures.inputsOf(signature);
    } catch (ServingException e) {
      throw FastFill.Fallback.INSTANCE;  // reported by the general path, in TF Serving's order
    }
    if (inputs == null || inputs.isEmpty()) {
      throw FastFill.Fallback.INSTANCE;
    }
    names = inputs.keySet().toArray(new String[0]);
    dtypes = inputs.values().toArray(new DataType[0]);
    for (DataType t : dtypes) {
      if (t != DataType.DT_FLOAT && t != DataType.DT_DOUBLE && t != DataType.DT_HALF
          && t != DataType.DT_BFLOAT16) {
        throw FastFill.Fallback.INSTANCE;
      }
    }
    builders = new TensorBuilder[names.length];
    in.peek();
    capacity = PredictJsonReader.capacity(length, in.offset(), names.length);
  }

  /** Row format, as {@link FastFill}'s rows(); the reader is at the value. */
  private Map<String, InputTensor> rows() {
    in.expect('[');
    int n = names.length;
    long[][] itemShapes = new long[n][];
    int c = in.peek();
    boolean objects = c == '{';
    if (!objects && n > 1) {
      throw FastFill.Fallback.INSTANCE;
    }
    long count = 0;
    do {
      if (objects) {
        namedItem(itemShapes, count == 0);
      } else if (count == 0) {
        itemShapes[0] = walk(0);
      } else if (!Arrays.equals(itemShapes[0], walk(0))) {
        throw FastFill.Fallback.INSTANCE;
      }
      count++;
      c = in.peek();
      in.pos++;
    } while (c == ',');
    if (c != ']') {
      throw FastFill.Fallback.INSTANCE;
    }
    Map<String, InputTensor> out = new LinkedHashMap<>();
    try {
      for (int i = 0; i < n; i++) {
        long[] shape = new long[itemShapes[i].length + 1];
        shape[0] = count;
        System.arraycopy(itemShapes[i], 0, shape, 1, itemShapes[i].length);
        out.put(names[i], builders[i].build(shape));
      }
    } catch (RuntimeException e) {
      out.values().forEach(InputTensor::close);
      throw e;
    }
    return out;
  }

  /** One {@code {name: value, ...}} item naming every input once. */
  private void namedItem(long[][] itemShapes, boolean first) {
    in.expect('{');
    boolean[] done = new boolean[names.length];
    int seen = 0;
    int c;
    do {
      String key = in.plainString();
      if (first && seen == 0 && key.equals("b64")) {
        throw FastFill.Fallback.INSTANCE;
      }
      int i = indexOf(key);
      if (i < 0 || done[i]) {
        throw FastFill.Fallback.INSTANCE;
      }
      done[i] = true;
      seen++;
      in.expect(':');
      long[] shape = walk(i);
      if (itemShapes[i] == null) {
        itemShapes[i] = shape;
      } else if (!Arrays.equals(itemShapes[i], shape)) {
        throw FastFill.Fallback.INSTANCE;
      }
      c = in.peek();
      in.pos++;
    } while (c == ',');
    if (c != '}' || seen != names.length) {
      throw FastFill.Fallback.INSTANCE;
    }
  }

  /** Columnar format, as {@link FastFill}'s columns(), without extra or repeated keys. */
  private Map<String, InputTensor> columns() {
    int n = names.length;
    long[][] shapes = new long[n][];
    if (in.peek() == '{') {
      in.pos++;
      int c;
      do {
        String key = in.plainString();
        int i = indexOf(key);
        if (key.equals("b64") || i < 0 || shapes[i] != null) {
          throw FastFill.Fallback.INSTANCE;
        }
        in.expect(':');
        shapes[i] = walk(i);
        c = in.peek();
        in.pos++;
      } while (c == ',');
      if (c != '}') {
        throw FastFill.Fallback.INSTANCE;
      }
      for (long[] s : shapes) {
        if (s == null) {
          throw FastFill.Fallback.INSTANCE;
        }
      }
    } else {
      if (n > 1) {
        throw FastFill.Fallback.INSTANCE;
      }
      shapes[0] = walk(0);
    }
    Map<String, InputTensor> out = new LinkedHashMap<>();
    try {
      for (int i = 0; i < n; i++) {
        out.put(names[i], builders[i].build(shapes[i]));
      }
    } catch (RuntimeException e) {
      out.values().forEach(InputTensor::close);
      throw e;
    }
    return out;
  }

  /**
   * {@link FastFill}'s walk over bytes: fills one value (a number or nested lists of numbers)
   * into input {@code input} and returns its shape, taken from the first element at each level
   * and checked to be rectangular.
   */
  private long[] walk(int input) {
    TensorBuilder b = builder(input);
    int depth = 0;
    int rank = -1;
    int minKnown = Integer.MAX_VALUE;  // levels [minKnown, rank) have their size fixed
    int c = in.peek();
    while (true) {
      if (c == '[') {
        in.pos++;
        if ((rank >= 0 && depth >= rank) || depth >= ExactFill.MAX_RANK) {
          throw FastFill.Fallback.INSTANCE;
        }
        if (depth > 0) {
          counts[depth - 1]++;
        }
        if (depth == dims.length) {
          dims = Arrays.copyOf(dims, depth * 2);
          counts = Arrays.copyOf(counts, depth * 2);
        }
        counts[depth++] = 0;
        c = in.peek();
        if (c == ',') {
          throw FastFill.Fallback.INSTANCE;
        }
        continue;
      }
      if (c == ']') {
        if (depth == 0) {
          throw FastFill.Fallback.INSTANCE;
        }
        in.pos++;
        long size = counts[--depth];
        if (depth >= minKnown) {
          if (dims[depth] != size) {
            throw FastFill.Fallback.INSTANCE;
          }
        } else {
          dims[depth] = size;
          minKnown = depth;
          if (rank < 0) {
            rank = depth + 1;  // an empty first list ends the shape
          }
        }
      } else if (JsonBytes.startsNumber(c)) {
        if (rank >= 0 && depth != rank) {
          throw FastFill.Fallback.INSTANCE;
        }
        rank = depth;
        if (depth > 0) {
          counts[depth - 1]++;
        }
        pending[pendingCount++] = in.number();
        if (pendingCount == pending.length) {
          flush(b);
        }
      } else {
        throw FastFill.Fallback.INSTANCE;
      }
      if (depth == 0) {
        flush(b);
        return Arrays.copyOf(dims, rank);
      }
      c = in.peek();
      if (c == ',') {
        in.pos++;
        c = in.peek();
        if (c == ']') {
          throw FastFill.Fallback.INSTANCE;  // a trailing comma
        }
      } else if (c != ']') {
        throw FastFill.Fallback.INSTANCE;
      }
    }
  }

  private void flush(TensorBuilder b) {
    b.addDoubles(pending, pendingCount);
    pendingCount = 0;
  }

  private int indexOf(String name) {
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals(name)) {
        return i;
      }
    }
    return -1;
  }

  private TensorBuilder builder(int i) {
    if (builders[i] == null) {
      builders[i] = TensorBuilder.create(dtypes[i], capacity);
    }
    return builders[i];
  }

  private void closeBuilders() {
    if (builders != null) {
      for (TensorBuilder b : builders) {
        if (b != null) {
          b.close();
        }
      }
    }
  }

  private static String effectiveName(String sig) {
    return sig == null || sig.isEmpty() ? PredictJsonReader.DEFAULT_SIGNATURE : sig;
  }
}
