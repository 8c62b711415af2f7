package io.tessera.cli;

import com.google.protobuf.ByteString;
import io.tessera.proto.tf.AttrValue;
import io.tessera.proto.tf.DataType;
import io.tessera.proto.tf.GraphDef;
import io.tessera.proto.tf.SavedModel;
import io.tessera.proto.tf.SignatureDef;
import io.tessera.proto.tf.TensorProto;
import io.tessera.proto.tf.VersionDef;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Generates the demo servable: a "dominant colour" image classifier as a SavedModel built only from
 * Const and stateless ops (no variables/ directory), with analytic weights and no training.
 *
 * <p>Signature {@code serving_default} (predict): input {@code images} DT_FLOAT [-1,-1,-1,3] (RGB,
 * 0..255); outputs {@code probabilities} DT_FLOAT [-1,K], {@code class_index} DT_INT64 [-1] and
 * {@code label} DT_STRING [-1], over the classes {@link #LABELS}. The graph takes the mean colour
 * of each image and scores the nearest prototype colour: {@code logits_k = (2 x·c_k - |c_k|^2) /
 * 500}, i.e. {@code -|x - c_k|^2 / 500} up to a per-image constant that softmax cancels.
 */
public final class DemoModel {
  /** Class names, in output order (class_index i is LABELS.get(i)). */
  public static final List<String> LABELS =
      List.of("red", "green", "blue", "yellow", "cyan", "magenta", "white", "black", "gray");

  /** Prototype RGB colour of each label, in LABELS order. */
  private static final double[][] PROTOTYPES = {
      {255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {255, 255, 0}, {0, 255, 255}, {255, 0, 255},
      {255, 255, 255}, {0, 0, 0}, {128, 128, 128}};

  /** Softmax temperature: a 1-unit squared-distance gap is worth 1/500 of a logit. */
  private static final double SCALE = 1.0 / 500;

  /** GraphDef producer: what TensorFlow 2.18 (our runtime, which exported mobilenet_v2) writes. */
  static final int GRAPH_PRODUCER = 1994;

  private DemoModel() {}

  /**
   * Writes {@code <basePath>/<version>/saved_model.pb} (creating directories) and returns the
   * version directory. Idempotent: the bytes are deterministic, an identical file is left untouched,
   * and a different one is replaced atomically so a watching server never sees a partial file.
   */
  public static Path write(Path basePath, long version) throws IOException {
    return GraphProtos.writeSavedModel(basePath, version, savedModel());
  }

  /** The complete SavedModel proto (one MetaGraphDef tagged "serve"). */
  static SavedModel savedModel() {
    int k = LABELS.size();
    float[] weights = new float[3 * k]; // [3, K] row-major: W[c][j] = 2 * SCALE * proto_j[c]
    float[] bias = new float[k];        // b[j] = -SCALE * |proto_j|^2
    for (int j = 0; j < k; j++) {
      double norm2 = 0;
      for (int c = 0; c < 3; c++) {
        weights[c * k + j] = (float) (2 * SCALE * PROTOTYPES[j][c]);
        norm2 += PROTOTYPES[j][c] * PROTOTYPES[j][c];
      }
      bias[j] = (float) (-SCALE * norm2);
    }
    TensorProto.Builder labels = TensorProto.newBuilder().setDtype(DataType.DT_STRING)
        .setTensorShape(GraphProtos.shape(k));
    for (String label : LABELS) {
      labels.addStringVal(ByteString.copyFrom(label, StandardCharsets.UTF_8));
    }
    GraphDef graph = GraphDef.newBuilder()
        .addNode(GraphProtos.node("images", "Placeholder")
            .putAttr("dtype", GraphProtos.type(DataType.DT_FLOAT))
            .putAttr("shape", AttrValue.newBuilder().setShape(GraphProtos.shape(-1, -1, -1, 3)).build()))
        .addNode(GraphProtos.constant("mean/axes", GraphProtos.int32Tensor(new int[] {1, 2}, 2)))
        .addNode(GraphProtos.node("mean", "Mean", "images", "mean/axes")
            .putAttr("T", GraphProtos.type(DataType.DT_FLOAT)).putAttr("Tidx", GraphProtos.type(DataType.DT_INT32))
            .putAttr("keep_dims", AttrValue.newBuilder().setB(false).build()))
        .addNode(GraphProtos.constant("logits/weights", GraphProtos.floatTensor(weights, 3, k)))
        .addNode(GraphProtos.node("logits/matmul", "MatMul", "mean", "logits/weights")
            .putAttr("T", GraphProtos.type(DataType.DT_FLOAT))
            .putAttr("transpose_a", AttrValue.newBuilder().setB(false).build())
            .putAttr("transpose_b", AttrValue.newBuilder().setB(false).build()))
        .addNode(GraphProtos.constant("logits/bias", GraphProtos.floatTensor(bias, k)))
        .addNode(GraphProtos.node("logits", "AddV2", "logits/matmul", "logits/bias")
            .putAttr("T", GraphProtos.type(DataType.DT_FLOAT)))
        .addNode(GraphProtos.node("probabilities", "Softmax", "logits").putAttr("T", GraphProtos.type(DataType.DT_FLOAT)))
        .addNode(GraphProtos.constant("class_index/axis", GraphProtos.int32Tensor(new int[] {1})))
        .addNode(GraphProtos.node("class_index", "ArgMax", "logits", "class_index/axis")
            .putAttr("T", GraphProtos.type(DataType.DT_FLOAT)).putAttr("Tidx", GraphProtos.type(DataType.DT_INT32))
            .putAttr("output_type", GraphProtos.type(DataType.DT_INT64)))
        .addNode(GraphProtos.constant("label/names", labels.build()))
        .addNode(GraphProtos.constant("label/axis", GraphProtos.int32Tensor(new int[] {0})))
        .addNode(GraphProtos.node("label", "GatherV2", "label/names", "class_index", "label/axis")
            .putAttr("Tparams", GraphProtos.type(DataType.DT_STRING))
            .putAttr("Tindices", GraphProtos.type(DataType.DT_INT64))
            .putAttr("Taxis", GraphProtos.type(DataType.DT_INT32))
            .putAttr("batch_dims", AttrValue.newBuilder().setI(0).build()))
        .setVersions(VersionDef.newBuilder().setProducer(GRAPH_PRODUCER))
        .build();
    SignatureDef signature = SignatureDef.newBuilder()
        .setMethodName("tensorflow/serving/predict")
        .putInputs("images", GraphProtos.info("images:0", DataType.DT_FLOAT, GraphProtos.shape(-1, -1, -1, 3)))
        .putOutputs("probabilities", GraphProtos.info("probabilities:0", DataType.DT_FLOAT, GraphProtos.shape(-1, k)))
        .putOutputs("class_index", GraphProtos.info("class_index:0", DataType.DT_INT64, GraphProtos.shape(-1)))
        .putOutputs("label", GraphProtos.info("label:0", DataType.DT_STRING, GraphProtos.shape(-1)))
        .build();
    return GraphProtos.servingModel(graph, signature);
  }

}
