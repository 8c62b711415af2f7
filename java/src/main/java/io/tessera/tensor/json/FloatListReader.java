package io.tessera.tensor.json;

import io.tessera.status.ServingException;
import io.tessera.tensor.DataType;
import io.tessera.tensor.InputTensor;
import io.tessera.tensor.TensorBuilder;
import java.nio.ByteBuffer;
import java.util.Arrays;
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
  /** Innermost lists longer than this are read number by number. */
  private static final int MAX_FAST_LIST = 64;
  /**
   * After this many innermost lists in a row that {@link JsonBytes#numberLists} did not read (long
   * significands, say), a value's remaining lists are read number by number without trying it.
   */
  private static final int MAX_LIST_MISSES = 4;
  private final JsonBytes in;
  private final int length;
  private InputBuilders builders;
  private final ListShape shape = new ListShape();
  private final double[] pending = new double[1024];
  private int pendingCount;
  private int listMisses;  // consecutive numberLists() that read nothing, in this value

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
      if (r.builders != null) {
        r.builders.close();
      }
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
            inlineSig = PredictJsonReader.effectiveName(sig);
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
      if (row == null || !PredictJsonReader.effectiveName(sig).equals(inlineSig)) {
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
    for (DataType t : inputs.values()) {
      if (t != DataType.DT_FLOAT && t != DataType.DT_DOUBLE && t != DataType.DT_HALF
          && t != DataType.DT_BFLOAT16) {
        throw FastFill.Fallback.INSTANCE;
      }
    }
    in.peek();
    long capacity = PredictJsonReader.capacity(length, in.offset(), inputs.size());
    builders = new InputBuilders(inputs, capacity);
  }

  /** Row format, as {@link FastFill}'s rows(); the reader is at the value. */
  private Map<String, InputTensor> rows() {
    in.expect('[');
    int n = builders.size();
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
    return builders.build(InputBuilders.batched(count, itemShapes));
  }

  /** One {@code {name: value, ...}} item naming every input once. */
  private void namedItem(long[][] itemShapes, boolean first) {
    in.expect('{');
    boolean[] done = new boolean[builders.size()];
    int seen = 0;
    int c;
    do {
      String key = in.plainString();
      if (first && seen == 0 && key.equals("b64")) {
        throw FastFill.Fallback.INSTANCE;
      }
      int i = builders.indexOf(key);
      if (i < 0 || done[i]) {
        throw FastFill.Fallback.INSTANCE;
      }
      done[i] = true;
      seen++;
      in.expect(':');
      long[] itemShape = walk(i);
      if (itemShapes[i] == null) {
        itemShapes[i] = itemShape;
      } else if (!Arrays.equals(itemShapes[i], itemShape)) {
        throw FastFill.Fallback.INSTANCE;
      }
      c = in.peek();
      in.pos++;
    } while (c == ',');
    if (c != '}' || seen != builders.size()) {
      throw FastFill.Fallback.INSTANCE;
    }
  }

  /** Columnar format, as {@link FastFill}'s columns(), without extra or repeated keys. */
  private Map<String, InputTensor> columns() {
    int n = builders.size();
    long[][] shapes = new long[n][];
    if (in.peek() == '{') {
      in.pos++;
      int c;
      do {
        String key = in.plainString();
        int i = builders.indexOf(key);
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
    return builders.build(shapes);
  }

  /**
   * {@link FastFill}'s walk over bytes: fills one value (a number or nested lists of numbers)
   * into input {@code input} and returns its shape, taken from the first element at each level
   * and checked to be rectangular.
   */
  private long[] walk(int input) {
    TensorBuilder b = builders.get(input);
    in.floatTarget = b.dtype() != DataType.DT_DOUBLE;  // float, half, bfloat16: see JsonBytes
    listMisses = 0;
    shape.reset();
    int c = in.peek();
    while (true) {
      if (c == '[') {
        int size = shape.innerSize();
        if (size > 0 && size <= MAX_FAST_LIST && listMisses < MAX_LIST_MISSES) {
          if (pendingCount + size > pending.length) {
            flush(b);
          }
          int lists = in.numberLists(size, pending, pendingCount);
          listMisses = lists > 0 ? 0 : listMisses + 1;
          if (lists > 0) {
            pendingCount += lists * size;
            shape.innerLists(lists);
            c = in.peek();
            if (c != '[') {
              c = afterValue();
            }
            continue;
          }
        }
        in.pos++;
        shape.open();
        c = in.peek();
        if (c == ',') {
          throw FastFill.Fallback.INSTANCE;
        }
        continue;
      }
      if (c == ']') {
        if (shape.depth() == 0) {
          throw FastFill.Fallback.INSTANCE;
        }
        in.pos++;
        shape.close();
      } else if (JsonBytes.startsNumber(c)) {
        shape.leaf();
        add(b, in.number());
        if (shape.depth() > 0) {
          long more = 0;
          while ((c = in.peek()) == ',') {  // the rest of this list: numbers only
            in.pos++;
            if (!JsonBytes.startsNumber(in.peek())) {
              throw FastFill.Fallback.INSTANCE;  // a list among numbers, or a trailing comma
            }
            add(b, in.number());
            more++;
          }
          shape.leaves(more);
          if (c != ']') {
            throw FastFill.Fallback.INSTANCE;
          }
          continue;
        }
      } else {
        throw FastFill.Fallback.INSTANCE;
      }
      if (shape.depth() == 0) {
        flush(b);
        return shape.shape();
      }
      c = afterValue();
    }
  }

  /** After a list element: past its comma to the next element, or at the list's ']'. */
  private int afterValue() {
    int c = in.peek();
    if (c == ',') {
      in.pos++;
      c = in.peek();
      if (c == ']') {
        throw FastFill.Fallback.INSTANCE;  // a trailing comma
      }
    } else if (c != ']') {
      throw FastFill.Fallback.INSTANCE;
    }
    return c;
  }

  private void add(TensorBuilder b, double v) {
    pending[pendingCount++] = v;
    if (pendingCount == pending.length) {
      flush(b);
    }
  }

  private void flush(TensorBuilder b) {
    b.addDoubles(pending, pendingCount);
    pendingCount = 0;
  }

}
