package io.tessera.tensor;

import io.tessera.nativebridge.GraphShape;
import io.tessera.status.ServingException;
import java.util.Arrays;

/**
 * Small helpers over {@code long[]} tensor shapes, and the checks every request shape passes
 * before any buffer for it exists: rank at most TensorFlow's {@link #MAX_RANK}, no negative
 * dimension, an element count that fits in an int64 — with TensorShape::IsValidShape's wording
 * ({@code tensor_shape.cc}), as INVALID_ARGUMENT.
 */
public final class Shapes {
  /** TensorFlow's maximum rank (TensorShape::MaxDimensions()), as the native bridge defines it. */
  public static final int MAX_RANK = GraphShape.MAX_RANK;

  private Shapes() {}

  /** Number of elements; throws IllegalArgumentException on negative dims or overflow. */
  public static long elementCount(long[] shape) {
    long count = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
      }
      count = Math.multiplyExact(count, d);
    }
    return count;
  }

  /**
   * The element count of a shape a client sent, checked as TensorFlow checks a TensorShapeProto.
   * A zero dimension anywhere makes the count 0, but the other dimensions must still not overflow
   * when multiplied (TensorShape multiplies them in order).
   *
   * @throws ServingException INVALID_ARGUMENT for too many dimensions, a negative dimension, or
   *     more than 2**63 - 1 elements
   */
  public static long checkedElementCount(long[] shape) {
    if (shape.length > MAX_RANK) {
      throw ServingException.invalidArgument("Shape " + debugString(shape) + " has too many dimensions");
    }
    long nonZero = 1;
    boolean empty = false;
    for (long d : shape) {
      if (d < 0) {
        throw ServingException.invalidArgument("Shape " + debugString(shape) + " is not fully defined");
      }
      if (d == 0) {
        empty = true;
        continue;
      }
      if (nonZero > Long.MAX_VALUE / d) {
        throw ServingException.invalidArgument("Shape " + debugString(shape)
            + " is too large (more than 2**63 - 1 entries)");
      }
      nonZero *= d;
    }
    return empty ? 0 : nonZero;
  }

  /**
   * Bytes of {@code elements} dense elements of {@code dtype}.
   *
   * @throws ServingException INVALID_ARGUMENT when that exceeds an int64 (only possible for a
   *     shape that passed {@link #checkedElementCount} with more than 2**59 elements)
   */
  public static long checkedByteSize(DataType dtype, long elements, long[] shape) {
    if (elements > Long.MAX_VALUE / Math.max(1, dtype.byteSize())) {
      throw ServingException.invalidArgument("Shape " + debugString(shape) + " of " + dtype
          + " is too large (more than 2**63 - 1 bytes)");
    }
    return elements * dtype.byteSize();
  }

  /** TensorShape's DebugString: {@code [2,3]}. */
  public static String debugString(long[] shape) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < shape.length; i++) {
      sb.append(i == 0 ? "" : ",").append(shape[i] < 0 ? "?" : Long.toString(shape[i]));
    }
    return sb.append(']').toString();
  }

  public static String toString(long[] shape) {
    return Arrays.toString(shape);
  }
}
