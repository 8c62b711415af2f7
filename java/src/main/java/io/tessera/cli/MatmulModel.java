package io.tessera.cli;

import io.tessera.proto.tf.AttrValue;
import io.tessera.proto.tf.DataType;
import io.tessera.proto.tf.GraphDef;
import io.tessera.proto.tf.NodeDef;
import io.tessera.proto.tf.SavedModel;
import io.tessera.proto.tf.SignatureDef;
import io.tessera.proto.tf.VersionDef;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A model that batches like a GPU, on CPU (issue 21): two weight-bandwidth-bound dense layers,
 * {@code y = relu(x W1) W2} with x [-1, 256], W1 [256, 16384], W2 [16384, 256] (32 MiB of weights,
 * small activations). A batch of one row streams all the weights for 17 MFLOP of work; a batch of
 * B rows streams them once for B times the work, so most of one row's run time is a fixed cost
 * that batching amortises, as on an accelerator. Const weights (no variables/), deterministic
 * pseudo-random values scaled by 1/sqrt(fan-in) so outputs stay near unit size.
 *
 * <p>Signature {@code serving_default} (predict): input {@code x} DT_FLOAT [-1, 256], output
 * {@code y} DT_FLOAT [-1, 256]. Used by bench/run-batching.sh and the batching tests.
 */
public final class MatmulModel {
  public static final int INPUT = 256;
  public static final int HIDDEN = 16384;

  private MatmulModel() {}

  /** Writes the model as {@code <basePath>/<version>/saved_model.pb} (see GraphProtos.writeSavedModel). */
  public static Path write(Path basePath, long version) throws IOException {
    return GraphProtos.writeSavedModel(basePath, version, savedModel());
  }

  static SavedModel savedModel() {
    GraphDef graph = GraphDef.newBuilder()
        .addNode(GraphProtos.node("x", "Placeholder").putAttr("dtype", GraphProtos.type(DataType.DT_FLOAT))
            .putAttr("shape", AttrValue.newBuilder().setShape(GraphProtos.shape(-1, INPUT)).build()))
        .addNode(GraphProtos.constant("w1", GraphProtos.floatContent(weights(INPUT, HIDDEN, 1), INPUT, HIDDEN)))
        .addNode(matmul("hidden/matmul", "x", "w1"))
        .addNode(GraphProtos.node("hidden", "Relu", "hidden/matmul").putAttr("T", GraphProtos.type(DataType.DT_FLOAT)))
        .addNode(GraphProtos.constant("w2", GraphProtos.floatContent(weights(HIDDEN, INPUT, 2), HIDDEN, INPUT)))
        .addNode(matmul("y", "hidden", "w2"))
        .setVersions(VersionDef.newBuilder().setProducer(DemoModel.GRAPH_PRODUCER))
        .build();
    SignatureDef signature = SignatureDef.newBuilder()
        .setMethodName("tensorflow/serving/predict")
        .putInputs("x", GraphProtos.info("x:0", DataType.DT_FLOAT, GraphProtos.shape(-1, INPUT)))
        .putOutputs("y", GraphProtos.info("y:0", DataType.DT_FLOAT, GraphProtos.shape(-1, INPUT)))
        .build();
    return GraphProtos.servingModel(graph, signature);
  }

  private static NodeDef.Builder matmul(String name, String a, String b) {
    return GraphProtos.node(name, "MatMul", a, b).putAttr("T", GraphProtos.type(DataType.DT_FLOAT))
        .putAttr("transpose_a", AttrValue.newBuilder().setB(false).build())
        .putAttr("transpose_b", AttrValue.newBuilder().setB(false).build());
  }

  /** [rows, cols] row-major, uniform in [-1, 1] / sqrt(rows) from a fixed-seed LCG. */
  static float[] weights(int rows, int cols, long seed) {
    float[] w = new float[rows * cols];
    long state = seed * 0x9E3779B97F4A7C15L;
    float scale = (float) (1 / Math.sqrt(rows));
    for (int i = 0; i < w.length; i++) {
      state = state * 6364136223846793005L + 1442695040888963407L;
      w[i] = ((state >>> 40) / (float) (1 << 24) * 2 - 1) * scale;
    }
    return w;
  }
}
