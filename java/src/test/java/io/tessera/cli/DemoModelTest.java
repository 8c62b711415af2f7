package io.tessera.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.proto.tf.SavedModel;
import io.tessera.servables.RunResult;
import io.tessera.servables.SavedModelBundle;
import io.tessera.servables.Signature;
import io.tessera.servables.SignatureRunner;
import io.tessera.tensor.DataType;
import io.tessera.tensor.InputTensor;
import io.tessera.tensor.OutputTensor;
import io.tessera.tensor.TensorBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Generates the demo SavedModel and runs it through the real TensorFlow runtime. */
class DemoModelTest {
  @TempDir Path tmp;

  @Test
  void writesParsableIdempotentSavedModel() throws Exception {
    Path dir = DemoModel.write(tmp.resolve("colors"), 7);
    assertEquals(tmp.resolve("colors").resolve("7"), dir);
    Path pb = dir.resolve("saved_model.pb");
    byte[] first = Files.readAllBytes(pb);
    Files.setLastModifiedTime(pb, FileTime.fromMillis(1_000_000L));
    assertEquals(dir, DemoModel.write(tmp.resolve("colors"), 7));
    assertArrayEquals(first, Files.readAllBytes(pb));
    assertEquals(1_000_000L, Files.getLastModifiedTime(pb).toMillis(), "identical file was rewritten");
    try (var files = Files.list(dir)) {
      assertEquals(List.of(pb), files.toList(), "no temp files left behind");
    }
    SavedModel model = SavedModel.parseFrom(first);
    assertEquals(1, model.getSavedModelSchemaVersion());
    assertEquals(List.of("serve"), model.getMetaGraphs(0).getMetaInfoDef().getTagsList());
    assertEquals(DemoModel.GRAPH_PRODUCER, model.getMetaGraphs(0).getGraphDef().getVersions().getProducer());
  }

  @Test
  void classifiesDominantColourWithTensorFlow() throws Exception {
    Path dir = DemoModel.write(tmp, 1);
    int k = DemoModel.LABELS.size();
    try (SavedModelBundle bundle = SavedModelBundle.load(dir, List.of("serve"), new byte[0])) {
      Signature signature = bundle.signature("serving_default");
      assertEquals("tensorflow/serving/predict", signature.def().getMethodName());
      TensorBuilder builder = TensorBuilder.create(DataType.DT_FLOAT, 2 * 4 * 4 * 3);
      for (int p = 0; p < 16; p++) { // image 0: pure red
        addPixel(builder, 255, 0, 0);
      }
      for (int p = 0; p < 16; p++) { // image 1: 12 blue pixels, 4 white ones
        if (p % 4 == 0) {
          addPixel(builder, 255, 255, 255);
        } else {
          addPixel(builder, 0, 0, 255);
        }
      }
      try (builder;
           InputTensor images = builder.build(new long[] {2, 4, 4, 3});
           RunResult result = SignatureRunner.run(bundle, signature, Map.of("images", images),
               List.of(), SignatureRunner.RunSettings.DEFAULT)) {
        Map<String, OutputTensor> out = result.outputs().stream()
            .collect(Collectors.toMap(OutputTensor::alias, Function.identity()));
        assertEquals(List.of("class_index", "label", "probabilities"),
            out.keySet().stream().sorted().toList());

        OutputTensor label = out.get("label");
        assertEquals(DataType.DT_STRING, label.dtype());
        assertArrayEquals(new long[] {2}, label.shape());
        assertEquals("red", new String(label.getString(0), StandardCharsets.UTF_8));
        assertEquals("blue", new String(label.getString(1), StandardCharsets.UTF_8));

        OutputTensor index = out.get("class_index");
        assertEquals(DataType.DT_INT64, index.dtype());
        assertArrayEquals(new long[] {2}, index.shape());
        assertEquals(DemoModel.LABELS.indexOf("red"), index.getLong(0));
        assertEquals(DemoModel.LABELS.indexOf("blue"), index.getLong(1));

        OutputTensor probs = out.get("probabilities");
        assertEquals(DataType.DT_FLOAT, probs.dtype());
        assertArrayEquals(new long[] {2, k}, probs.shape());
        for (int row = 0; row < 2; row++) {
          double sum = 0;
          for (int j = 0; j < k; j++) {
            float p = probs.getFloat((long) row * k + j);
            assertTrue(Float.isFinite(p) && p >= 0, "probability " + p);
            sum += p;
          }
          assertEquals(1.0, sum, 1e-4);
          assertTrue(probs.getFloat((long) row * k + index.getLong(row)) > 0.9f);
        }
      }
    }
  }

  private static void addPixel(TensorBuilder builder, double r, double g, double b) {
    builder.addDouble(r);
    builder.addDouble(g);
    builder.addDouble(b);
  }
}
