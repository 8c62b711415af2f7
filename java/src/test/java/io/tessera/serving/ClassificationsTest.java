package io.tessera.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tessera.image.LabelScore;
import io.tessera.status.ServingException;
import io.tessera.tensor.DataType;
import io.tessera.tensor.OutputTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClassificationsTest {
  private static OutputTensor floats(String alias, long[] shape, float... values) {
    ByteBuffer data = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      data.putFloat(v);
    }
    return new OutputTensor(alias, DataType.DT_FLOAT, shape, data.flip(), null, 0);
  }

  @Test
  void topKPerRowOfTheAskedOutputsOnly() {
    OutputTensor scores = floats("s", new long[] {2, 3}, 0.1f, 0.7f, 0.2f, 5f, 1f, 5f);
    OutputTensor other = floats("o", new long[] {1}, 9f);
    Map<String, List<List<LabelScore>>> classes = Classifications.of(Map.of("s", 2), List.of(scores, other),
        Optional.empty());
    assertEquals(List.of("s"), List.copyOf(classes.keySet()));
    assertEquals(List.of(List.of(new LabelScore(1, null, 0.7f), new LabelScore(2, null, 0.2f)),
        List.of(new LabelScore(0, null, 5f), new LabelScore(2, null, 5f))), classes.get("s"));
  }

  @Test
  void aRankOneOutputIsOneRowAndIntegersRankToo() {
    // Triton's example: [1.1, 3.3, 0.5, 2.4] with 2 classes → 3.3:1, 2.4:3
    OutputTensor t = floats("y", new long[] {4}, 1.1f, 3.3f, 0.5f, 2.4f);
    assertEquals(List.of(List.of(new LabelScore(1, null, 3.3f), new LabelScore(3, null, 2.4f))),
        Classifications.of(Map.of("y", 2), List.of(t), Optional.empty()).get("y"));
    ByteBuffer ints = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(4).putInt(-1).putInt(9).flip();
    OutputTensor i = new OutputTensor("i", DataType.DT_INT32, new long[] {3}, ints, null, 0);
    assertEquals(2, Classifications.of(Map.of("i", 1), List.of(i), Optional.empty()).get("i").get(0).get(0).index());
  }

  @Test
  void refusesWhatCannotBeRanked() {
    OutputTensor scalar = floats("y", new long[] {}, 1f);
    assertThrows(ServingException.class, () -> Classifications.of(Map.of("y", 1), List.of(scalar), Optional.empty()));
    OutputTensor t = floats("y", new long[] {2}, 1f, 2f);
    assertThrows(ServingException.class, () -> Classifications.of(Map.of("y", 0), List.of(t), Optional.empty()));
  }
}
