package io.tessera.tensor.json;

import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import io.tessera.tensor.DataType;
import io.tessera.tensor.InputTensor;
import io.tessera.tensor.TensorBuilder;
import io.tessera.tensor.TypeNames;
import io.tessera.tensor.json.JsonDom.Kind;
import io.tessera.tensor.json.JsonDom.Node;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The slow, exact path: TF Serving's {@code FillTensorMapFromInstancesList} /
 * {@code FillTensorMapFromInputsMap} run step by step over a {@link JsonDom}, so errors come out
 * in TF Serving's order and wording. Used when the streaming path gives up.
 */
final class ExactFill {
  /** TensorFlow's maximum tensor rank; deeper list nesting is refused (TF Serving would recurse). */
  static final int MAX_RANK = io.tessera.tensor.Shapes.MAX_RANK;

  private final PredictJsonReader.Body body;
  private final Map<String, DataType> inputs;
  private final long capacity;
  private final Map<String, TensorBuilder> builders = new LinkedHashMap<>();
  private final Map<String, InputTensor> out = new LinkedHashMap<>();

  /** An error with its status code, before TF Serving's row-format wrapping. */
  static final class TfError extends Exception {
    final StatusCode code;

    TfError(StatusCode code, String message) {
      super(message, null, false, false);
      this.code = code;
    }

    TfError(String message) {
      this(StatusCode.INVALID_ARGUMENT, message);
    }

    String statusString() {
      return code.name() + ": " + getMessage();
    }
  }

  ExactFill(PredictJsonReader.Body body, Map<String, DataType> inputs, long capacity) {
    this.body = body;
    this.inputs = inputs;
    this.capacity = capacity;
  }

  private interface Step {
    void run() throws TfError;
  }

  /** Fills the row format from {@code val}, then releases {@code val}'s DOM. */
  Map<String, InputTensor> instances(Node val) {
    return run(val, () -> doInstances(val));
  }

  /** Fills the columnar format from {@code val}, then releases {@code val}'s DOM. */
  Map<String, InputTensor> columns(Node val) {
    return run(val, () -> doColumns(val));
  }

  private Map<String, InputTensor> run(Node val, Step step) {
    boolean ok = false;
    try {
      step.run();
      ok = true;
      return out;
    } catch (TfError e) {
      throw new ServingException(e.code, e.getMessage());
    } finally {
      val.release();
      builders.values().forEach(TensorBuilder::close);
      if (!ok) {
        out.values().forEach(InputTensor::close);
      }
    }
  }

  private void doInstances(Node val) throws TfError {
    if (val.kind != Kind.ARRAY) {
      throw new TfError(body.docError("Expecting 'instances' to be an list/array"));
    }
    if (val.size() == 0) {
      throw new TfError(body.docError("No values in 'instances' array"));
    }
    Node first = val.items.get(0);
    if (first.kind != Kind.OBJECT && inputs.size() > 1) {
      throw new TfError("instances is a plain list, but expecting list of objects as multiple "
          + "input tensors required as per tensorinfo_map");
    }
    boolean objects = isElementObject(first);
    TreeSet<String> names = new TreeSet<>(inputs.keySet());
    Map<String, long[]> shapes = new LinkedHashMap<>();
    Map<String, Long> sizes = new LinkedHashMap<>();
    int count = 0;
    for (Node elem : val.items) {
      if (objects) {
        if (!isElementObject(elem)) {
          throw new TfError("Expecting object but got list at item " + count + " of input list");
        }
        TreeSet<String> keys = new TreeSet<>();
        for (int i = 0; i < elem.keys.size(); i++) {
          String name = elem.keys.get(i);
          keys.add(name);
          try {
            addInstanceItem(elem.items.get(i), name, shapes, sizes);
          } catch (TfError e) {
            throw new TfError("Failed to process element: " + count + " key: " + name
                + " of 'instances' list. Error: " + e.statusString());
          }
        }
        if (!keys.equals(names)) {
          throw new TfError("Failed to process element: " + count + " of 'instances' list. "
              + "JSON object: " + body.debug(elem.offset) + " keys must be equal to: "
              + String.join(",", names));
        }
      } else {
        if (isElementObject(elem)) {
          throw new TfError("Expecting value/list but got object at item " + count
              + " of input list");
        }
        try {
          addInstanceItem(elem, inputs.keySet().iterator().next(), shapes, sizes);
        } catch (TfError e) {
          throw new TfError("Failed to process element: " + count + " of 'instances' list. "
              + "Error: " + e.statusString());
        }
      }
      count++;
    }
    for (String name : inputs.keySet()) {
      long[] item = shapes.get(name);
      if (item == null) {
        continue;
      }
      long[] shape = new long[item.length + 1];
      shape[0] = count;
      System.arraycopy(item, 0, shape, 1, item.length);
      build(name, shape);
    }
  }

  private void addInstanceItem(Node item, String name, Map<String, long[]> shapes,
      Map<String, Long> sizes) throws TfError {
    if (!inputs.containsKey(name)) {
      throw new TfError("JSON object: does not have named input: " + name);
    }
    DataType dtype = inputs.get(name);
    long[] shape = denseShape(item, dtype);
    TensorBuilder b = builder(name, dtype);
    long before = b == null ? 0 : b.count();
    fill(item, 0, dtype, shape, b);
    long size = b == null ? 0 : b.count() - before;
    Long known = sizes.get(name);
    if (known == null) {
      sizes.put(name, size);
      shapes.put(name, shape);
    } else if (known != size) {
      throw new TfError("Expecting tensor size: " + known + " but got: " + size);
    } else if (!Arrays.equals(shapes.get(name), shape)) {
      throw new TfError("Expecting shape " + shapeString(shapes.get(name)) + " but got: "
          + shapeString(shape));
    }
  }

  private void doColumns(Node val) throws TfError {
    if (val.kind != Kind.OBJECT || val.isB64Object()) {
      if (inputs.size() > 1) {
        throw new TfError("inputs is a plain value/list, but expecting an object as multiple "
            + "input tensors required as per tensorinfo_map");
      }
      String name = inputs.keySet().iterator().next();
      column(name, val);
    } else {
      for (String name : inputs.keySet()) {
        Node item = val.member(name);
        if (item == null) {
          throw new TfError("Missing named input: " + name + " in 'inputs' object.");
        }
        column(name, item);
      }
    }
  }

  private void column(String name, Node val) throws TfError {
    DataType dtype = inputs.get(name);
    long[] shape = denseShape(val, dtype);
    fill(val, 0, dtype, shape, builder(name, dtype));
    build(name, shape);
  }

  private void build(String name, long[] shape) throws TfError {
    TensorBuilder b = builders.remove(name);
    if (b == null) {
      throw new TfError(StatusCode.UNIMPLEMENTED, "Conversion of JSON Value: [] to type: "
          + PredictJsonReader.UNSUPPORTED);
    }
    try {
      out.put(name, b.build(shape));
    } finally {
      b.close();
    }
  }

  private TensorBuilder builder(String name, DataType dtype) {
    if (dtype == null) {
      return null;
    }
    return builders.computeIfAbsent(name, n -> TensorBuilder.create(dtype, capacity));
  }

  private static boolean isElementObject(Node n) {
    return n.kind == Kind.OBJECT && !n.isB64Object();
  }

  /** Our extension: a complex element is a [re, im] list (a list whose first item is a number). */
  private static boolean isComplexLeaf(Node n, DataType dtype) {
    return dtype != null && dtype.isComplex() && n.kind == Kind.ARRAY && n.size() > 0
        && n.items.get(0).isNumber();
  }

  private static long[] denseShape(Node val, DataType dtype) throws TfError {
    List<Long> dims = new ArrayList<>();
    while (val.kind == Kind.ARRAY && !isComplexLeaf(val, dtype)) {
      dims.add((long) val.size());
      if (dims.size() > MAX_RANK) {
        throw new TfError("JSON lists nested deeper than the maximum tensor rank " + MAX_RANK);
      }
      if (val.size() == 0) {
        break;
      }
      val = val.items.get(0);
    }
    return dims.stream().mapToLong(Long::longValue).toArray();
  }

  private void fill(Node val, int level, DataType dtype, long[] shape, TensorBuilder b)
      throws TfError {
    int rank = shape.length;
    if (val.kind != Kind.ARRAY || isComplexLeaf(val, dtype)) {
      if (level != rank) {
        throw new TfError("JSON Value: " + body.debug(val.offset) + " found at incorrect level: "
            + (level + 1) + " in the JSON DOM. Expected at level: " + rank);
      }
      if (val.kind == Kind.OBJECT && dtype != null) {
        if (dtype != DataType.DT_STRING) {
          throw typeError(val, dtype);
        }
        b.addBytes(decodeBase64(val));
      } else {
        addValue(val, dtype, b);
      }
      return;
    }
    if (level >= rank) {
      throw new TfError("Encountered list at unexpected level: " + level + " expected < " + rank);
    }
    if (val.size() != shape[level]) {
      throw new TfError("Encountered list at unexpected size: " + val.size() + " at level: "
          + level + " expected size: " + shape[level]);
    }
    for (Node v : val.items) {
      fill(v, level + 1, dtype, shape, b);
    }
  }

  private byte[] decodeBase64(Node val) throws TfError {
    if (!val.isB64Object()) {
      throw new TfError("JSON Value: " + body.debug(val.offset)
          + " not formatted correctly for base64 data");
    }
    try {
      return Base64.getDecoder().decode(val.items.get(0).text);
    } catch (IllegalArgumentException e) {
      throw new TfError("Unable to base64 decode");
    }
  }

  private void addValue(Node val, DataType dtype, TensorBuilder b) throws TfError {
    if (dtype == null) {
      throw new TfError(StatusCode.UNIMPLEMENTED, "Conversion of JSON Value: "
          + body.debug(val.offset) + " to type: " + PredictJsonReader.UNSUPPORTED);
    }
    switch (dtype) {
      case DT_FLOAT, DT_DOUBLE, DT_HALF, DT_BFLOAT16 -> {
        require(val.isNumber(), val, dtype);
        b.addDouble(val.getDouble());
      }
      case DT_INT32, DT_INT16, DT_INT8, DT_UINT8, DT_UINT16 -> {
        require(val.isInt(), val, dtype);
        b.addLong(val.lv);
      }
      case DT_INT64 -> {
        require(val.isInt64(), val, dtype);
        b.addLong(val.lv);
      }
      case DT_UINT32 -> {
        require(val.isUint(), val, dtype);
        b.addLong(val.lv);
      }
      case DT_UINT64 -> {
        require(val.isUint64(), val, dtype);
        b.addLong(val.lv);
      }
      case DT_BOOL -> {
        require(val.kind == Kind.TRUE || val.kind == Kind.FALSE, val, dtype);
        b.addBool(val.kind == Kind.TRUE);
      }
      case DT_STRING -> {
        require(val.kind == Kind.STRING, val, dtype);
        b.addBytes(val.text.getBytes(StandardCharsets.UTF_8));
      }
      case DT_COMPLEX64, DT_COMPLEX128 -> {
        boolean ok = val.kind == Kind.ARRAY && val.size() == 2 && val.items.get(0).isNumber()
            && val.items.get(1).isNumber();
        require(ok, val, dtype);
        b.addComplex(val.items.get(0).getDouble(), val.items.get(1).getDouble());
      }
    }
  }

  private void require(boolean ok, Node val, DataType dtype) throws TfError {
    if (!ok) {
      throw typeError(val, dtype);
    }
  }

  private TfError typeError(Node val, DataType dtype) {
    return new TfError("JSON Value: " + body.debug(val.offset) + " Type: " + val.jsonType()
        + " is not of expected type: " + TypeNames.jsonName(dtype));
  }

  static String shapeString(long[] shape) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < shape.length; i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(shape[i]);
    }
    return sb.append(']').toString();
  }
}
