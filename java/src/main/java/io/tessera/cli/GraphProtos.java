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
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;

/** Builders for the generated SavedModels' protos (our own SavedModel writer), and the writer. */
final class GraphProtos {
  private GraphProtos() {}

  /**
   * Writes {@code <basePath>/<version>/saved_model.pb} (creating directories) and returns the
   * version directory. Idempotent: the bytes are deterministic, an identical file is left untouched,
   * and a different one is replaced atomically so a watching server never sees a partial file.
   */
  static Path writeSavedModel(Path basePath, long version, SavedModel model) throws IOException {
    if (version < 0) {
      throw new IllegalArgumentException("version must be >= 0: " + version);
    }
    Path dir = basePath.resolve(Long.toString(version));
    Files.createDirectories(dir);
    Path pb = dir.resolve("saved_model.pb");
    byte[] bytes = serialize(model);
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

  /** A SavedModel of one MetaGraphDef tagged "serve" whose serving_default is {@code signature}. */
  static SavedModel servingModel(GraphDef graph, SignatureDef signature) {
    MetaGraphDef metaGraph = MetaGraphDef.newBuilder()
        .setMetaInfoDef(MetaGraphDef.MetaInfoDef.newBuilder().addTags("serve"))
        .setGraphDef(graph)
        .putSignatureDef("serving_default", signature)
        .build();
    return SavedModel.newBuilder().setSavedModelSchemaVersion(1).addMetaGraphs(metaGraph).build();
  }

  /** A DT_FLOAT constant written as tensor_content (little-endian), compact for large weights. */
  static TensorProto floatContent(float[] values, long... dims) {
    ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(values);
    return TensorProto.newBuilder().setDtype(DataType.DT_FLOAT).setTensorShape(shape(dims))
        .setTensorContent(ByteString.copyFrom(bytes.array())).build();
  }

  static byte[] serialize(SavedModel model) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(model.getSerializedSize());
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.useDeterministicSerialization(); // sorted map entries: same model, same bytes
    model.writeTo(out);
    out.flush();
    return bytes.toByteArray();
  }

  static NodeDef.Builder node(String name, String op, String... inputs) {
    return NodeDef.newBuilder().setName(name).setOp(op).addAllInput(List.of(inputs));
  }

  static NodeDef.Builder constant(String name, TensorProto value) {
    return node(name, "Const").putAttr("dtype", type(value.getDtype()))
        .putAttr("value", AttrValue.newBuilder().setTensor(value).build());
  }

  static AttrValue type(DataType dtype) {
    return AttrValue.newBuilder().setType(dtype).build();
  }

  static TensorShapeProto shape(long... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (long d : dims) {
      shape.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
    }
    return shape.build();
  }

  static TensorProto floatTensor(float[] values, long... dims) {
    TensorProto.Builder t = TensorProto.newBuilder().setDtype(DataType.DT_FLOAT).setTensorShape(shape(dims));
    for (float v : values) {
      t.addFloatVal(v);
    }
    return t.build();
  }

  static TensorProto int32Tensor(int[] values, long... dims) {
    TensorProto.Builder t = TensorProto.newBuilder().setDtype(DataType.DT_INT32).setTensorShape(shape(dims));
    for (int v : values) {
      t.addIntVal(v);
    }
    return t.build();
  }

  static TensorInfo info(String name, DataType dtype, TensorShapeProto shape) {
    return TensorInfo.newBuilder().setName(name).setDtype(dtype).setTensorShape(shape).build();
  }
}
