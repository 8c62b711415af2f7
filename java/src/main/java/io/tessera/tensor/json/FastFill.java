package io.tessera.tensor.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.tessera.tensor.DataType;
import io.tessera.tensor.InputTensor;
import io.tessera.tensor.TensorBuilder;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;

/**
 * The streaming path: walks the tokens of an {@code instances} / {@code inputs} value once, writing
 * each element straight into a {@link TensorBuilder}. It accepts exactly what TF Serving accepts in
 * the usual layouts; on anything else (an error, or a rare layout such as an input named "b64") it
 * throws {@link Fallback}, having closed what it built, and the caller re-reads the value with
 * {@link ExactFill}, which produces TF Serving's exact result or error.
 */
final class FastFill {
  static final class Fallback extends RuntimeException {
    static final Fallback INSTANCE = new Fallback();

    private Fallback() {
      super(null, null, false, false);
    }
  }

  private static final BigInteger TWO_63 = BigInteger.ONE.shiftLeft(63);
  private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

  private final JsonParser p;
  private final InputBuilders builders;
  private final String[] names;
  private final DataType[] dtypes;
  private final ListShape shape = new ListShape();

  private FastFill(JsonParser p, Map<String, DataType> inputs, long capacity) {
    this.p = p;
    this.builders = new InputBuilders(inputs, capacity);
    this.names = builders.names;
    this.dtypes = builders.dtypes;
  }

  /** Row format; the parser is on the value's first token. */
  static Map<String, InputTensor> instances(JsonParser p, Map<String, DataType> inputs,
      long capacity) throws IOException {
    FastFill f = new FastFill(p, inputs, capacity);
    try {
      return f.rows();
    } finally {
      f.builders.close();
    }
  }

  /** Columnar format; the parser is on the value's first token. */
  static Map<String, InputTensor> inputs(JsonParser p, Map<String, DataType> inputs,
      long capacity) throws IOException {
    FastFill f = new FastFill(p, inputs, capacity);
    try {
      return f.columns();
    } finally {
      f.builders.close();
    }
  }

  private Map<String, InputTensor> rows() throws IOException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw Fallback.INSTANCE;
    }
    JsonToken t = p.nextToken();
    if (t == JsonToken.END_ARRAY) {
      throw Fallback.INSTANCE;
    }
    int n = names.length;
    long[][] itemShapes = new long[n][];
    boolean objects = false;
    boolean firstB64 = false;
    if (t == JsonToken.START_OBJECT) {
      JsonToken t2 = p.nextToken();
      if (t2 == JsonToken.FIELD_NAME && "b64".equals(p.currentName())) {
        if (n != 1 || names[0].equals("b64") || dtypes[0] != DataType.DT_STRING) {
          throw Fallback.INSTANCE;
        }
        builders.get(0).addBytes(readB64Rest());
        itemShapes[0] = new long[0];
        firstB64 = true;
      } else {
        objects = true;
        namedItem(t2, itemShapes);
      }
    } else if (n > 1) {
      throw Fallback.INSTANCE;
    }
    int count = 0;
    if (!objects && !firstB64) {
      itemShapes[0] = walk(t, 0);
    }
    count++;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (objects) {
        if (t != JsonToken.START_OBJECT) {
          throw Fallback.INSTANCE;
        }
        namedItem(p.nextToken(), itemShapes);
      } else if (!Arrays.equals(itemShapes[0], walk(t, 0))) {
        throw Fallback.INSTANCE;
      }
      count++;
    }
    return builders.build(InputBuilders.batched(count, itemShapes));
  }

  /** One {@code {name: value, ...}} element; {@code t} is the token after its '{'. */
  private void namedItem(JsonToken t, long[][] itemShapes) throws IOException {
    int seen = 0;
    boolean[] done = new boolean[names.length];
    while (t == JsonToken.FIELD_NAME) {
      int i = builders.indexOf(p.currentName());
      if (i < 0 || done[i]) {
        throw Fallback.INSTANCE;
      }
      done[i] = true;
      seen++;
      long[] itemShape = walk(p.nextToken(), i);
      if (itemShapes[i] == null) {
        itemShapes[i] = itemShape;
      } else if (!Arrays.equals(itemShapes[i], itemShape)) {
        throw Fallback.INSTANCE;
      }
      t = p.nextToken();
    }
    if (t != JsonToken.END_OBJECT || seen != names.length) {
      throw Fallback.INSTANCE;
    }
  }

  private Map<String, InputTensor> columns() throws IOException {
    int n = names.length;
    long[][] shapes = new long[n][];
    JsonToken t = p.currentToken();
    if (t == JsonToken.START_OBJECT) {
      t = p.nextToken();
      if (t == JsonToken.FIELD_NAME && "b64".equals(p.currentName())) {
        if (n != 1 || names[0].equals("b64") || dtypes[0] != DataType.DT_STRING) {
          throw Fallback.INSTANCE;
        }
        builders.get(0).addBytes(readB64Rest());
        shapes[0] = new long[0];
      } else {
        while (t == JsonToken.FIELD_NAME) {
          int i = builders.indexOf(p.currentName());
          JsonToken v = p.nextToken();
          if (i < 0 || shapes[i] != null) {
            p.skipChildren(); // TF Serving ignores extra keys; the first duplicate wins
          } else {
            shapes[i] = walk(v, i);
          }
          t = p.nextToken();
        }
        for (long[] s : shapes) {
          if (s == null) {
            throw Fallback.INSTANCE;
          }
        }
      }
    } else {
      if (n > 1) {
        throw Fallback.INSTANCE;
      }
      shapes[0] = walk(t, 0);
    }
    return builders.build(shapes);
  }

  /**
   * Fills one (possibly nested-list) value starting at token {@code t} into input {@code input};
   * returns its shape, found as TF Serving does (from the first element at each level) and checked
   * to be rectangular. Leaves the parser on the value's last token.
   */
  private long[] walk(JsonToken t, int input) throws IOException {
    DataType dtype = dtypes[input];
    if (dtype == null) {
      throw Fallback.INSTANCE;
    }
    TensorBuilder b = builders.get(input);
    boolean complex = dtype.isComplex();
    shape.reset();
    while (true) {
      if (t == JsonToken.START_ARRAY) {
        JsonToken next = p.nextToken();
        if (complex && next != null && next.isNumeric()) {
          shape.leaf();
          double re = number(next);
          JsonToken imToken = p.nextToken();
          if (imToken == null || !imToken.isNumeric()) {
            throw Fallback.INSTANCE;
          }
          double im = number(imToken);
          if (p.nextToken() != JsonToken.END_ARRAY) {
            throw Fallback.INSTANCE;
          }
          b.addComplex(re, im);
        } else {
          shape.open();
          t = next;
          continue;
        }
      } else if (t == JsonToken.END_ARRAY) {
        shape.close();
      } else {
        shape.leaf();
        addLeaf(t, dtype, b);
      }
      if (shape.depth() == 0) {
        return shape.shape();
      }
      t = p.nextToken();
    }
  }

  private void addLeaf(JsonToken t, DataType dtype, TensorBuilder b) throws IOException {
    if (t == null) {
      throw Fallback.INSTANCE;
    }
    switch (dtype) {
      case DT_FLOAT, DT_DOUBLE, DT_HALF, DT_BFLOAT16 -> {
        if (!t.isNumeric()) {
          throw Fallback.INSTANCE;
        }
        b.addDouble(number(t));
      }
      case DT_INT32, DT_INT16, DT_INT8, DT_UINT8, DT_UINT16 -> {
        if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT) {
          throw Fallback.INSTANCE;
        }
        b.addLong(p.getIntValue());
      }
      case DT_INT64, DT_UINT32, DT_UINT64 -> b.addLong(integer(t, dtype));
      case DT_BOOL -> {
        if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
          throw Fallback.INSTANCE;
        }
        b.addBool(t == JsonToken.VALUE_TRUE);
      }
      case DT_STRING -> {
        if (t == JsonToken.VALUE_STRING) {
          b.addBytes(p.getText().getBytes(StandardCharsets.UTF_8));
        } else if (t == JsonToken.START_OBJECT && p.nextToken() == JsonToken.FIELD_NAME
            && "b64".equals(p.currentName())) {
          b.addBytes(readB64Rest());
        } else {
          throw Fallback.INSTANCE;
        }
      }
      default -> throw Fallback.INSTANCE; // complex leaves are lists, handled by walk()
    }
  }

  /** A number as rapidjson's GetDouble() sees it (integers convert exactly, then round). */
  private double number(JsonToken t) throws IOException {
    if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
      return (double) p.getLongValue();
    }
    return p.getDoubleValue();
  }

  private long integer(JsonToken t, DataType dtype) throws IOException {
    if (t != JsonToken.VALUE_NUMBER_INT) {
      throw Fallback.INSTANCE;
    }
    if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
      BigInteger v = p.getBigIntegerValue();
      if (dtype == DataType.DT_UINT64 && v.compareTo(TWO_63) >= 0 && v.compareTo(TWO_64) < 0) {
        return v.longValue();
      }
      throw Fallback.INSTANCE;
    }
    long v = p.getLongValue();
    boolean ok = switch (dtype) {
      case DT_UINT32 -> v >= 0 && v <= 0xffffffffL;
      case DT_UINT64 -> v >= 0;
      default -> true;
    };
    if (!ok) {
      throw Fallback.INSTANCE;
    }
    return v;
  }

  /** After '{' and the "b64" key: the string value and the closing '}', decoded. */
  private byte[] readB64Rest() throws IOException {
    if (p.nextToken() != JsonToken.VALUE_STRING) {
      throw Fallback.INSTANCE;
    }
    String text = p.getText();
    if (p.nextToken() != JsonToken.END_OBJECT) {
      throw Fallback.INSTANCE;
    }
    try {
      return Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw Fallback.INSTANCE;
    }
  }
}
