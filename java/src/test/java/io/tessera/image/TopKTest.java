package io.tessera.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tessera.status.ServingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Top-k order, ties, NaN, k larger than the class count, labels from a file. */
class TopKTest {
  @TempDir Path dir;

  @Test
  void ordersByScoreWithLabelsFromTheFile() throws Exception {
    Path file = Files.writeString(dir.resolve("labels.txt"), "background\r\ntabby \ntiger cat\nEgyptian cat\n");
    Labels labels = Labels.read(file);
    float[] row = {0.01f, 0.0769f, 0.0772f, 0.8416f};
    assertEquals(List.of(new LabelScore(3, "Egyptian cat", 0.8416f), new LabelScore(2, "tiger cat", 0.0772f)),
        TopK.topK(row, 2, Optional.of(labels)));
    assertEquals("tabby", labels.get(1));
  }

  @Test
  void tiesGoToTheLowerIndexNanRanksLastAndKIsCapped() {
    float[] row = {0.5f, Float.NaN, 0.5f, 0.9f, 0.1f};
    List<LabelScore> top = TopK.topK(row, 10, Optional.empty());
    assertEquals(List.of(3, 0, 2, 4, 1), top.stream().map(LabelScore::index).toList());
    assertEquals(null, top.get(0).label());
    assertEquals(List.of(3), TopK.topK(row, 1, Optional.empty()).stream().map(LabelScore::index).toList());
  }

  @Test
  void agreesWithSortingOnRandomRows() {
    java.util.Random random = new java.util.Random(42);
    for (int trial = 0; trial < 200; trial++) {
      float[] row = new float[1 + random.nextInt(50)];
      for (int i = 0; i < row.length; i++) {
        row[i] = random.nextInt(20) / 4f; // many ties
      }
      int k = 1 + random.nextInt(8);
      List<Integer> expected = java.util.stream.IntStream.range(0, row.length).boxed()
          .sorted((a, b) -> row[a] != row[b] ? Float.compare(row[b], row[a]) : Integer.compare(a, b))
          .limit(k).toList();
      assertEquals(expected, TopK.topK(row, k, Optional.empty()).stream().map(LabelScore::index).toList());
    }
  }

  @Test
  void rejectsKBelowOneAndEmptyLabelFiles() throws Exception {
    assertThrows(ServingException.class, () -> TopK.topK(new float[] {1f}, 0, Optional.empty()));
    Path empty = Files.writeString(dir.resolve("empty.txt"), "\n\n");
    assertThrows(ServingException.class, () -> Labels.read(empty));
    assertThrows(ServingException.class, () -> Labels.read(dir.resolve("missing.txt")));
  }
}
