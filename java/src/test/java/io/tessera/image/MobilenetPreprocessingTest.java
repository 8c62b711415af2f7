package io.tessera.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.servables.RunResult;
import io.tessera.servables.SavedModelBundle;
import io.tessera.servables.Signature;
import io.tessera.servables.SignatureRunner;
import io.tessera.tensor.InputTensor;
import io.tessera.tensor.OutputTensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The six shared photos, decoded and resized by Tessera's own code with the documented
 * mobilenet_v2 config, classified by the real SavedModel through TensorFlow: each gets the top-1
 * of expected_top5.tsv (the cat may be any of 282/283/286), with scores close to the ones
 * TensorFlow's own DecodeJpeg + ResizeBilinear preprocessing gave.
 */
class MobilenetPreprocessingTest {
  private static final Path BASE = ImageTestSupport.shared("models/mobilenet_v2");
  private static final String CONFIG =
      "{\"value\": {\"scale\": 0.00784313725490196, \"offset\": -1}, \"labels_file\": \"labels.txt\","
      + " \"default_top_k\": 5}";

  private static SavedModelBundle bundle;
  private static Signature signature;
  private static ImageConfig config;
  private static final Map<String, Expected> EXPECTED = new LinkedHashMap<>();

  private record Expected(int index, String label, float tfScore) {}

  @BeforeAll
  static void load() throws Exception {
    bundle = SavedModelBundle.load(BASE.resolve("1"), List.of("serve"), new byte[0]);
    signature = bundle.signature("serving_default");
    config = ImageConfigs.resolve(ImageConfigs.parse(CONFIG, "mobilenet test config"), "test", BASE,
        name -> name.equals(signature.key()) ? signature : null);
    for (String line : Files.readAllLines(BASE.resolve("expected_top5.tsv"))) {
      String[] f = line.split("\t");
      if (f[1].equals("1")) {
        EXPECTED.put(f[0], new Expected(Integer.parseInt(f[2]), f[3], Float.parseFloat(f[4])));
      }
    }
    assertEquals(6, EXPECTED.size());
  }

  @AfterAll
  static void close() {
    bundle.close();
  }

  @Test
  void configDefaultsComeFromTheSignature() {
    assertEquals("images", config.inputAlias());
    assertEquals(224, config.height());
    assertEquals(224, config.width());
    assertEquals(io.tessera.tensor.DataType.DT_FLOAT, config.dtype());
    assertEquals(1001, config.labels().orElseThrow().size());
    assertEquals("background", config.labels().orElseThrow().get(0));
  }

  @Test
  void sixPhotosInOneParallelBatchGetTheExpectedTopOne() throws Exception {
    List<String> names = new ArrayList<>(EXPECTED.keySet());
    List<byte[]> photos = new ArrayList<>();
    for (String name : names) {
      photos.add(Files.readAllBytes(ImageTestSupport.shared("images/" + name)));
    }
    try (ImagePreprocessor preprocessor = new ImagePreprocessor(config);
         InputTensor images = preprocessor.decodeBatch(photos);
         RunResult result = SignatureRunner.run(bundle, signature, Map.of("images", images),
             List.of("probabilities"), SignatureRunner.RunSettings.DEFAULT)) {
      assertArrayEquals(new long[] {6, 224, 224, 3}, images.shape());
      OutputTensor probabilities = result.outputs().get(0);
      List<List<LabelScore>> top = TopK.topK(probabilities, config.defaultTopK(), config.labels());
      assertEquals(6, top.size());
      for (int i = 0; i < names.size(); i++) {
        Expected expected = EXPECTED.get(names.get(i));
        LabelScore best = top.get(i).get(0);
        assertEquals(5, top.get(i).size());
        assertEquals(expected.index(), best.index(), names.get(i) + ": top-1 " + best);
        assertEquals(expected.label(), best.label());
        // TensorFlow's own decode and resize: the score of TF's preprocessing, to the 4 decimals
        // expected_top5.tsv gives (half a unit of the last digit, plus float noise).
        assertEquals(expected.tfScore(), best.score(), 0.5e-4 + 1e-5, names.get(i) + " score vs TF preprocessing");
      }
    }
  }

  @Test
  void singleImageThroughTensorBuilderMatchesTheBatchPath() throws Exception {
    byte[] photo = Files.readAllBytes(ImageTestSupport.shared("images/coffee.jpg"));
    ImagePreprocessor preprocessor = ImagePreprocessor.withImageIo(config, DecodePool.shared());
    try (io.tessera.tensor.TensorBuilder builder =
             io.tessera.tensor.TensorBuilder.create(config.dtype(), config.elementsPerImage())) {
      preprocessor.decodeInto(photo, builder);
      try (InputTensor viaBuilder = builder.build(preprocessor.shape(1));
           InputTensor viaBatch = preprocessor.decodeBatch(List.of(photo));
           RunResult a = SignatureRunner.run(bundle, signature, Map.of("images", viaBuilder),
               List.of("logits"), SignatureRunner.RunSettings.DEFAULT);
           RunResult b = SignatureRunner.run(bundle, signature, Map.of("images", viaBatch),
               List.of("logits"), SignatureRunner.RunSettings.DEFAULT)) {
        OutputTensor la = a.outputs().get(0);
        OutputTensor lb = b.outputs().get(0);
        for (long i = 0; i < la.elementCount(); i++) {
          assertEquals(lb.getFloat(i), la.getFloat(i), 1e-4f);
        }
        assertEquals(968, TopK.topK(la, 1, config.labels()).get(0).get(0).index());
      }
    }
  }
}
