package io.tessera.tensor;

import java.util.Arrays;

/** Small helpers over {@code long[]} tensor shapes. */
public final class Shapes {
  private Shapes() {}

  /** Number of elements; throws on negative dims or overflow. */
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

  public static String toString(long[] shape) {
    return Arrays.toString(shape);
  }
}
