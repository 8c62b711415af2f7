package io.tessera.cli;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.tessera.proto.tf.AttrValue;
import io.tessera.proto.tf.DataType;
import io.tessera.proto.tf.GraphDef;
import io.tessera.proto.tf.MetaGraphDef;
import io.tessera.proto.tf.NodeDef;
import io.tessera.proto.tf.SavedModel;
import io.tessera.proto.tf.SignatureDef;
import io.tessera.proto.tf.TensorInfo;
import io.tessera.proto.tf.TensorProto;
import io.tessera.proto.tf.TensorShapeProto;
import io.tessera.proto.tf.VersionDef;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
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
    if (version < 0) {
      throw new IllegalArgumentException("version must be >= 0: " + version);
    }
    Path dir = basePath.resolve(Long.toString(version));
    Files.createDirectories(dir);
    Path pb = dir.resolve("saved_model.pb");
    byte[] bytes = serialize(savedModel());
    if (Files.isRegularFile(pb) && Arrays.equals(Files.readAllBytes(pb), bytes)) {
      return dir;
    }
    Path tmp = Files.createTempFile(dir, ".saved_model", ".tmp");
    try {
      Files.write(tmp, bytes);
      try {
        Files.move(tmp, pb, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, pb, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
    return dir;
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
        .setTensorShape(shape(k));
    for (String label : LABELS) {
      labels.addStringVal(ByteString.copyFrom(label, StandardCharsets.UTF_8));
    }
    GraphDef graph = GraphDef.newBuilder()
        .addNode(node("images", "Placeholder")
            .putAttr("dtype", type(DataType.DT_FLOAT))
            .putAttr("shape", AttrValue.newBuilder().setShape(shape(-1, -1, -1, 3)).build()))
        .addNode(constant("mean/axes", int32Tensor(new int[] {1, 2}, 2)))
        .addNode(node("mean", "Mean", "images", "mean/axes")
            .putAttr("T", type(DataType.DT_FLOAT)).putAttr("Tidx", type(DataType.DT_INT32))
            .putAttr("keep_dims", AttrValue.newBuilder().setB(false).build()))
        .addNode(constant("logits/weights", floatTensor(weights, 3, k)))
        .addNode(node("logits/matmul", "MatMul", "mean", "logits/weights")
            .putAttr("T", type(DataType.DT_FLOAT))
            .putAttr("transpose_a", AttrValue.newBuilder().setB(false).build())
            .putAttr("transpose_b", AttrValue.newBuilder().setB(false).build()))
        .addNode(constant("logits/bias", floatTensor(bias, k)))
        .addNode(node("logits", "AddV2", "logits/matmul", "logits/bias")
            .putAttr("T", type(DataType.DT_FLOAT)))
        .addNode(node("probabilities", "Softmax", "logits").putAttr("T", type(DataType.DT_FLOAT)))
        .addNode(constant("class_index/axis", int32Tensor(new int[] {1})))
        .addNode(node("class_index", "ArgMax", "logits", "class_index/axis")
            .putAttr("T", type(DataType.DT_FLOAT)).putAttr("Tidx", type(DataType.DT_INT32))
            .putAttr("output_type", type(DataType.DT_INT64)))
        .addNode(constant("label/names", labels.build()))
        .addNode(constant("label/axis", int32Tensor(new int[] {0})))
        .addNode(node("label", "GatherV2", "label/names", "class_index", "label/axis")
            .putAttr("Tparams", type(DataType.DT_STRING))
            .putAttr("Tindices", type(DataType.DT_INT64))
            .putAttr("Taxis", type(DataType.DT_INT32))
            .putAttr("batch_dims", AttrValue.newBuilder().setI(0).build()))
        .setVersions(VersionDef.newBuilder().setProducer(GRAPH_PRODUCER))
        .build();
    SignatureDef signature = SignatureDef.newBuilder()
        .setMethodName("tensorflow/serving/predict")
        .putInputs("images", info("images:0", DataType.DT_FLOAT, shape(-1, -1, -1, 3)))
        .putOutputs("probabilities", info("probabilities:0", DataType.DT_FLOAT, shape(-1, k)))
        .putOutputs("class_index", info("class_index:0", DataType.DT_INT64, shape(-1)))
        .putOutputs("label", info("label:0", DataType.DT_STRING, shape(-1)))
        .build();
    MetaGraphDef metaGraph = MetaGraphDef.newBuilder()
        .setMetaInfoDef(MetaGraphDef.MetaInfoDef.newBuilder().addTags("serve"))
        .setGraphDef(graph)
        .putSignatureDef("serving_default", signature)
        .build();
    return SavedModel.newBuilder().setSavedModelSchemaVersion(1).addMetaGraphs(metaGraph).build();
  }

  private static byte[] serialize(SavedModel model) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(model.getSerializedSize());
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.useDeterministicSerialization(); // sorted map entries: same model, same bytes
    model.writeTo(out);
    out.flush();
    return bytes.toByteArray();
  }

  private static NodeDef.Builder node(String name, String op, String... inputs) {
    return NodeDef.newBuilder().setName(name).setOp(op).addAllInput(List.of(inputs));
  }

  private static NodeDef.Builder constant(String name, TensorProto value) {
    return node(name, "Const").putAttr("dtype", type(value.getDtype()))
        .putAttr("value", AttrValue.newBuilder().setTensor(value).build());
  }

  private static AttrValue type(DataType dtype) {
    return AttrValue.newBuilder().setType(dtype).build();
  }

  private static TensorShapeProto shape(long... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (long d : dims) {
      shape.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
    }
    return shape.build();
  }

  private static TensorProto floatTensor(float[] values, long... dims) {
    TensorProto.Builder t = TensorProto.newBuilder().setDtype(DataType.DT_FLOAT).setTensorShape(shape(dims));
    for (float v : values) {
      t.addFloatVal(v);
    }
    return t.build();
  }

  private static TensorProto int32Tensor(int[] values, long... dims) {
    TensorProto.Builder t = TensorProto.newBuilder().setDtype(DataType.DT_INT32).setTensorShape(shape(dims));
    for (int v : values) {
      t.addIntVal(v);
    }
    return t.build();
  }

  private static TensorInfo info(String name, DataType dtype, TensorShapeProto shape) {
    return TensorInfo.newBuilder().setName(name).setDtype(dtype).setTensorShape(shape).build();
  }
}
