package io.tessera.tensor.json;

import io.tessera.tensor.DataType;
import io.tessera.tensor.InputTensor;
import io.tessera.tensor.TensorBuilder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tensor builders of one request's inputs, in the signature's order, each made on first use
 * with the same capacity guess; what is not built into tensors is freed by {@link #close}.
 */
final class InputBuilders implements AutoCloseable {
  final String[] names;
  final DataType[] dtypes;
  private final TensorBuilder[] builders;
  private final long capacity;

  InputBuilders(Map<String, DataType> inputs, long capacity) {
    names = inputs.keySet().toArray(new String[0]);
    dtypes = inputs.values().toArray(new DataType[0]);
    builders = new TensorBuilder[names.length];
    this.capacity = capacity;
  }

  int size() {
    return names.length;
  }

  /** The input's index, or -1. */
  int indexOf(String name) {
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals(name)) {
        return i;
      }
    }
    return -1;
  }

  TensorBuilder get(int i) {
    if (builders[i] == null) {
      builders[i] = TensorBuilder.create(dtypes[i], capacity);
    }
    return builders[i];
  }

  /**
   * Builds input i with shapes[i] for every non-null shape, into a map in signature order; if one
   * fails, the tensors built so far are closed and the failure thrown.
   */
  Map<String, InputTensor> build(long[][] shapes) {
    Map<String, InputTensor> out = new LinkedHashMap<>();
    try {
      for (int i = 0; i < names.length; i++) {
        if (shapes[i] != null) {
          out.put(names[i], get(i).build(shapes[i]));
        }
      }
    } catch (RuntimeException e) {
      out.values().forEach(InputTensor::close);
      throw e;
    }
    return out;
  }

  /** With the first dimension {@code count} put in front of each non-null item shape. */
  static long[][] batched(long count, long[][] itemShapes) {
    long[][] shapes = new long[itemShapes.length][];
    for (int i = 0; i < shapes.length; i++) {
      if (itemShapes[i] != null) {
        shapes[i] = new long[itemShapes[i].length + 1];
        shapes[i][0] = count;
        System.arraycopy(itemShapes[i], 0, shapes[i], 1, itemShapes[i].length);
      }
    }
    return shapes;
  }

  @Override
  public void close() {
    for (TensorBuilder b : builders) {
      if (b != null) {
        b.close();
      }
    }
  }
}
