package io.tessera.cli;

import io.tessera.proto.tf.MetaGraphDef;
import io.tessera.proto.tf.SavedModel;
import io.tessera.proto.tf.SignatureDef;
import io.tessera.proto.tf.TensorInfo;
import io.tessera.proto.tf.TensorShapeProto;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * {@code tessera inspect --dir=<savedmodel>}: what {@code saved_model_cli show --all} prints — every
 * MetaGraph's tags, and per signature its method and inputs/outputs with dtype, shape and tensor
 * name. Reads saved_model.pb only (no TensorFlow needed). Accepts a version directory or a model
 * base path (then the highest numeric version is shown).
 */
final class Inspect {
  private Inspect() {}

  static int run(String dirFlag, PrintStream out) throws IOException {
    Path dir = Path.of(dirFlag);
    Path pb = dir.resolve("saved_model.pb");
    if (!Files.isRegularFile(pb)) {
      Path newest = newestVersion(dir);
      if (newest == null) {
        System.err.println("tessera inspect: no saved_model.pb in " + dir + " nor in a numeric version directory under it");
        return 1;
      }
      out.println("(base path: showing version " + newest.getFileName() + ")");
      pb = newest.resolve("saved_model.pb");
    }
    SavedModel model = SavedModel.parseFrom(Files.readAllBytes(pb));
    for (MetaGraphDef meta : model.getMetaGraphsList()) {
      out.println();
      out.println("MetaGraphDef with tag-set: '" + String.join(", ", meta.getMetaInfoDef().getTagsList())
          + "' contains the following SignatureDefs:");
      for (Map.Entry<String, SignatureDef> e : new TreeMap<>(meta.getSignatureDefMap()).entrySet()) {
        out.println();
        out.println("signature_def['" + e.getKey() + "']:");
        out.println("  The given SavedModel SignatureDef contains the following input(s):");
        print(e.getValue().getInputsMap(), "inputs", out);
        out.println("  The given SavedModel SignatureDef contains the following output(s):");
        print(e.getValue().getOutputsMap(), "outputs", out);
        out.println("  Method name is: " + e.getValue().getMethodName());
      }
    }
    return 0;
  }

  private static void print(Map<String, TensorInfo> tensors, String kind, PrintStream out) {
    for (Map.Entry<String, TensorInfo> t : new TreeMap<>(tensors).entrySet()) {
      out.println("    " + kind + "['" + t.getKey() + "'] tensor_info:");
      out.println("        dtype: " + t.getValue().getDtype());
      out.println("        shape: " + shape(t.getValue().getTensorShape()));
      out.println("        name: " + t.getValue().getName());
    }
  }

  static String shape(TensorShapeProto shape) {
    if (shape.getUnknownRank()) {
      return "unknown_rank";
    }
    return shape.getDimList().stream().map(d -> Long.toString(d.getSize()))
        .collect(Collectors.joining(", ", "(", shape.getDimCount() == 1 ? ",)" : ")"));
  }

  private static Path newestVersion(Path base) throws IOException {
    if (!Files.isDirectory(base)) {
      return null;
    }
    try (var children = Files.list(base)) {
      return children.filter(p -> p.getFileName().toString().matches("\\d{1,18}") && Files.isRegularFile(p.resolve("saved_model.pb")))
          .max((a, b) -> Long.compare(Long.parseLong(a.getFileName().toString()), Long.parseLong(b.getFileName().toString())))
          .orElse(null);
    }
  }
}
