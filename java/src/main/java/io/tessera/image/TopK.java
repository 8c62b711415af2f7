package io.tessera.image;

import io.tessera.status.ServingException;
import io.tessera.tensor.OutputTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Top-k classes per batch row of a [N, classes] score tensor (DT_FLOAT, DT_DOUBLE, DT_HALF or
 * DT_BFLOAT16), highest score first; ties go to the lower index; NaN scores rank last. Pure.
 */
public final class TopK {
  private TopK() {}

  /**
   * @param k entries per row, at least 1; rows with fewer classes return them all
   * @param labels label of each output index, if the model has them
   * @throws ServingException INVALID_ARGUMENT when the tensor is not [N, classes] floating point
   */
  public static List<List<LabelScore>> topK(OutputTensor scores, int k, Optional<Labels> labels) {
    if (k < 1) {
      throw ServingException.invalidArgument("top_k must be at least 1, got " + k);
    }
    if (scores.rank() != 2 || !scores.dtype().isFloating()) {
      throw ServingException.invalidArgument("top_k needs a [batch, classes] floating-point output; "
          + scores.alias() + " is " + scores.dtype() + " of rank " + scores.rank());
    }
    int rows = Math.toIntExact(scores.dim(0));
    int classes = Math.toIntExact(scores.dim(1));
    float[] row = new float[classes];
    List<List<LabelScore>> result = new ArrayList<>(rows);
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < classes; c++) {
        row[c] = read(scores, (long) r * classes + c);
      }
      result.add(topK(row, k, labels));
    }
    return result;
  }

  /** Top-k of one row of scores. */
  public static List<LabelScore> topK(float[] row, int k, Optional<Labels> labels) {
    if (k < 1) {
      throw ServingException.invalidArgument("top_k must be at least 1, got " + k);
    }
    int n = Math.min(k, row.length);
    int[] best = new int[n]; // indices, best first
    int size = 0;
    for (int c = 0; c < row.length; c++) {
      if (size == n && !better(row, c, best[n - 1])) {
        continue;
      }
      int at = size == n ? n - 1 : size++;
      while (at > 0 && better(row, c, best[at - 1])) {
        best[at] = best[at - 1];
        at--;
      }
      best[at] = c;
    }
    List<LabelScore> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int index = best[i];
      out.add(new LabelScore(index, labels.map(l -> l.get(index)).orElse(null), row[index]));
    }
    return out;
  }

  /** True if class a outranks class b (b has the lower index when they are equal). */
  private static boolean better(float[] row, int a, int b) {
    float x = row[a];
    float y = row[b];
    if (Float.isNaN(x)) {
      return false;
    }
    return Float.isNaN(y) || x > y || (x == y && a < b);
  }

  private static float read(OutputTensor t, long i) {
    return switch (t.dtype()) {
      case DT_FLOAT -> t.getFloat(i);
      case DT_DOUBLE -> (float) t.getDouble(i);
      default -> t.getHalfAsFloat(i);
    };
  }
}
