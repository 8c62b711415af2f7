package io.tessera.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tessera.servables.RunResult;
import io.tessera.servables.SavedModelBundle;
import io.tessera.servables.Signature;
import io.tessera.servables.SignatureRunner;
import io.tessera.tensor.DataType;
import io.tessera.tensor.InputTensor;
import io.tessera.tensor.OutputTensor;
import io.tessera.tensor.TensorBuilder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The weight-bound batching model, run by real TensorFlow against the same arithmetic in Java. */
class MatmulModelTest {
  @TempDir Path tmp;

  @Test
  void computesReluOfXW1TimesW2ForEveryRowOfABatch() throws Exception {
    Path dir = MatmulModel.write(tmp, 1);
    int n = MatmulModel.INPUT;
    float[][] rows = new float[3][n];
    for (int r = 0; r < 3; r++) {
      for (int i = 0; i < n; i++) {
        rows[r][i] = (float) Math.sin(r * 31 + i * 0.1);
      }
    }
    try (SavedModelBundle bundle = SavedModelBundle.load(dir, List.of("serve"), new byte[0])) {
      Signature signature = bundle.signature("serving_default");
      TensorBuilder builder = TensorBuilder.create(DataType.DT_FLOAT, 3 * n);
      for (float[] row : rows) {
        for (float v : row) {
          builder.addDouble(v);
        }
      }
      try (builder;
           InputTensor x = builder.build(new long[] {3, n});
           RunResult result = SignatureRunner.run(bundle, signature, Map.of("x", x), List.of(),
               SignatureRunner.RunSettings.DEFAULT)) {
        OutputTensor y = result.outputs().get(0);
        assertEquals("y", y.alias());
        assertArrayEquals(new long[] {3, n}, y.shape());
        float[] w1 = MatmulModel.weights(n, MatmulModel.HIDDEN, 1);
        float[] w2 = MatmulModel.weights(MatmulModel.HIDDEN, n, 2);
        for (int r = 0; r < 3; r++) {
          double[] expected = reference(rows[r], w1, w2);
          for (int j = 0; j < n; j++) {
            assertEquals(expected[j], y.getFloat((long) r * n + j), 1e-3 + 1e-3 * Math.abs(expected[j]),
                "row " + r + " column " + j);
          }
        }
      }
    }
  }

  private static double[] reference(float[] x, float[] w1, float[] w2) {
    int n = MatmulModel.INPUT;
    int h = MatmulModel.HIDDEN;
    double[] hidden = new double[h];
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < h; k++) {
        hidden[k] += x[i] * w1[i * h + k];
      }
    }
    double[] y = new double[n];
    for (int k = 0; k < h; k++) {
      double v = Math.max(0, hidden[k]);
      for (int j = 0; j < n; j++) {
        y[j] += v * w2[k * n + j];
      }
    }
    return y;
  }
}
