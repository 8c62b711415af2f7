package io.tessera.tensor.json;

import java.util.Arrays;

/**
 * The shape of one nested-list value, found as TF Serving finds it (from the first element at
 * each level) while the value is walked once, and checked to be rectangular: the walkers report
 * each list opening and closing and each leaf, and anything off throws {@link FastFill.Fallback}.
 * Lists close deepest-first, so the levels whose size is already fixed (by the first list closed
 * there, which lies on the first-element chain) are always [minKnown, rank). Reusable via
 * {@link #reset}.
 */
final class ListShape {
  private long[] dims = new long[8];
  private long[] counts = new long[8];
  private int depth;
  private int rank;
  private int minKnown;

  ListShape() {
    reset();
  }

  void reset() {
    depth = 0;
    rank = -1;
    minKnown = Integer.MAX_VALUE;
  }

  /** Lists open now (0 outside the value). */
  int depth() {
    return depth;
  }

  /** A '[' that starts a list (not a complex leaf). */
  void open() {
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
  }

  /** The ']' of the innermost open list. */
  void close() {
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
  }

  /** One element value at the current depth. */
  void leaf() {
    if (rank >= 0 && depth != rank) {
      throw FastFill.Fallback.INSTANCE;
    }
    rank = depth;
    if (depth > 0) {
      counts[depth - 1]++;
    }
  }

  /** {@code n} more leaves in the list where {@link #leaf} just took one (depth above 0). */
  void leaves(long n) {
    counts[depth - 1] += n;
  }

  /**
   * The size every list of the innermost level has, when the walk is at the level above it
   * (depth rank - 1, at least 1) and that size is already fixed; else -1.
   */
  int innerSize() {
    return depth > 0 && depth == rank - 1 && minKnown <= depth
        ? (int) Math.min(dims[depth], Integer.MAX_VALUE) : -1;
  }

  /** {@code n} whole innermost lists of {@link #innerSize} elements, each read and checked. */
  void innerLists(int n) {
    counts[depth - 1] += n;
  }

  /** The shape, once the value has ended (depth 0). */
  long[] shape() {
    return Arrays.copyOf(dims, rank);
  }
}
