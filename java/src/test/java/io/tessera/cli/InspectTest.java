package io.tessera.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class InspectTest {
  private static final Path SHARED = Path.of(System.getProperty("tessera.shared.dir", "../../shared"));

  private static String inspect(Path dir) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    assertEquals(0, Inspect.run(dir.toString(), new PrintStream(bytes, true, StandardCharsets.UTF_8)));
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void showsTagsSignaturesDtypesAndShapesLikeSavedModelCli() throws Exception {
    String out = inspect(SHARED.resolve("models/mobilenet_v2/1"));
    assertTrue(out.contains("MetaGraphDef with tag-set: 'serve' contains the following SignatureDefs:"), out);
    assertTrue(out.contains("signature_def['serving_default']:"), out);
    assertTrue(out.contains("    inputs['images'] tensor_info:\n        dtype: DT_FLOAT\n        shape: (-1, 224, 224, 3)\n"
        + "        name: input:0"), out);
    assertTrue(out.contains("outputs['probabilities'] tensor_info:\n        dtype: DT_FLOAT\n        shape: (-1, 1001)"), out);
    assertTrue(out.contains("Method name is: tensorflow/serving/predict"), out);
  }

  @Test
  void acceptsABasePathAndShowsTheNewestVersion() throws Exception {
    String out = inspect(SHARED.resolve("testdata/saved_model_half_plus_two_2_versions"));
    assertTrue(out.startsWith("(base path: showing version 00000124)"), out);
    assertTrue(out.contains("signature_def['classify_x_to_y']:"), out);
    assertTrue(out.contains("        dtype: DT_STRING\n        shape: unknown_rank\n        name: tf_example:0"), out);
    assertTrue(out.contains("Method name is: tensorflow/serving/classify"), out);
  }
}
