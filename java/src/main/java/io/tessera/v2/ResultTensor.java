package io.tessera.v2;

import io.tessera.image.LabelScore;
import io.tessera.serving.Predicted;
import io.tessera.tensor.OutputTensor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One output of a finished inference as the protocol answers it: the model's tensor, or for an
 * output the call classified, a BYTES tensor of {@code "<score>:<index>[:<label>]"} strings of
 * shape [batch, k] ([k] for a rank-1 output), as Triton's classification extension answers.
 * Valid only during the pipeline's encoder call (tensors are views of TensorFlow's memory).
 */
public sealed interface ResultTensor {
  String name();

  String datatype();

  long[] shape();

  record Tensor(OutputTensor tensor) implements ResultTensor {
    @Override
    public String name() {
      return tensor.alias();
    }

    @Override
    public String datatype() {
      return V2Types.name(tensor.dtype());
    }

    @Override
    public long[] shape() {
      return tensor.shape();
    }
  }

  record Classes(String name, long[] shape, List<byte[]> strings) implements ResultTensor {
    @Override
    public String datatype() {
      return "BYTES";
    }
  }

  /** The outputs of {@code ran}, in fetch order. */
  public static List<ResultTensor> of(Predicted ran) {
    List<ResultTensor> result = new ArrayList<>(ran.outputs().size());
    for (OutputTensor t : ran.outputs()) {
      List<List<LabelScore>> rows = ran.classes().get(t.alias());
      result.add(rows == null ? new Tensor(t) : classes(t, rows));
    }
    return result;
  }

  private static Classes classes(OutputTensor t, List<List<LabelScore>> rows) {
    List<byte[]> strings = new ArrayList<>();
    int k = rows.isEmpty() ? 0 : rows.get(0).size();
    for (List<LabelScore> row : rows) {
      for (LabelScore entry : row) {
        String text = entry.score() + ":" + entry.index() + (entry.label() == null ? "" : ":" + entry.label());
        strings.add(text.getBytes(StandardCharsets.UTF_8));
      }
    }
    long[] shape = t.rank() == 1 ? new long[] {k} : new long[] {rows.size(), k};
    return new Classes(t.alias(), shape, strings);
  }
}
