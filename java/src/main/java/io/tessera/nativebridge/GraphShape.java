package io.tessera.nativebridge;

import java.util.Arrays;

/**
 * The static shape a loaded graph gives one of its tensors (TF_GraphGetTensorShape after load).
 * Immutable value.
 *
 * @param placeholder whether the tensor is an output of a Placeholder or PlaceholderWithDefault op
 * @param dims the dimensions, -1 for an unknown one; null when the rank itself is unknown
 */
public record GraphShape(boolean placeholder, long[] dims) {
  /** TensorFlow's largest rank (TensorShape::MaxDimensions()). */
  public static final int MAX_RANK = 254;

  /** Nothing known: any feed is compatible. */
  public static final GraphShape UNKNOWN = new GraphShape(false, null);

  public GraphShape {
    dims = dims == null ? null : dims.clone();
  }

  @Override
  public long[] dims() {
    return dims == null ? null : dims.clone();
  }

  /** The rank, or -1 when unknown. */
  public int rank() {
    return dims == null ? -1 : dims.length;
  }

  /** TF's shape DebugString: {@code [?,224,224,3]}, or {@code <unknown>} for an unknown rank. */
  @Override
  public String toString() {
    if (dims == null) {
      return "<unknown>";
    }
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < dims.length; i++) {
      sb.append(i == 0 ? "" : ",").append(dims[i] < 0 ? "?" : Long.toString(dims[i]));
    }
    return sb.append(']').toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GraphShape g && g.placeholder == placeholder && Arrays.equals(g.dims, dims);
  }

  @Override
  public int hashCode() {
    return Boolean.hashCode(placeholder) * 31 + Arrays.hashCode(dims);
  }
}
