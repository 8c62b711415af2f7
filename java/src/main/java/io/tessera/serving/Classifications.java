package io.tessera.serving;

import io.tessera.image.ImagePreprocessor;
import io.tessera.image.LabelScore;
import io.tessera.image.Labels;
import io.tessera.image.TopK;
import io.tessera.status.ServingException;
import io.tessera.tensor.DataType;
import io.tessera.tensor.OutputTensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Triton's classification extension over a finished run: an output asked for with k classes is
 * answered as its k highest values per batch row (a rank-1 output is one row), each with its
 * index and, when the model has labels (its image config's {@code labels_file}), the label.
 * Ranking is {@link TopK}'s (ties to the lower index, NaN last). Pure.
 */
final class Classifications {
  private Classifications() {}

  /** The classes per asked-for output, in the order outputs were fetched. */
  static Map<String, List<List<LabelScore>>> of(Map<String, Integer> asked, List<OutputTensor> outputs,
      Optional<ImagePreprocessor> images) {
    if (asked.isEmpty()) {
      return Map.of();
    }
    Optional<Labels> labels = images.flatMap(p -> p.config().labels());
    Map<String, List<List<LabelScore>>> classes = new LinkedHashMap<>();
    for (OutputTensor t : outputs) {
      Integer k = asked.get(t.alias());
      if (k != null) {
        classes.put(t.alias(), rows(t, k, labels));
      }
    }
    return classes;
  }

  private static List<List<LabelScore>> rows(OutputTensor t, int k, Optional<Labels> labels) {
    if (k < 1) {
      throw ServingException.invalidArgument("classification count for output '" + t.alias()
          + "' must be at least 1, got " + k);
    }
    if (t.rank() < 1 || t.rank() > 2 || t.dtype().isString() || t.dtype().isComplex()) {
      throw ServingException.invalidArgument("classification needs a numeric output of shape [classes] or"
          + " [batch, classes]; '" + t.alias() + "' is " + t.dtype() + " of rank " + t.rank());
    }
    int rows = t.rank() == 1 ? 1 : Math.toIntExact(t.dim(0));
    int width = Math.toIntExact(t.dim(t.rank() - 1));
    float[] row = new float[width];
    List<List<LabelScore>> result = new ArrayList<>(rows);
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < width; c++) {
        row[c] = value(t, (long) r * width + c);
      }
      result.add(TopK.topK(row, k, labels));
    }
    return result;
  }

  private static float value(OutputTensor t, long i) {
    DataType dtype = t.dtype();
    return switch (dtype) {
      case DT_FLOAT -> t.getFloat(i);
      case DT_DOUBLE -> (float) t.getDouble(i);
      case DT_HALF, DT_BFLOAT16 -> t.getHalfAsFloat(i);
      default -> (float) t.getLong(i);
    };
  }
}
