package io.tessera.fuzz;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.SplittableRandom;
import org.tensorflow.framework.DataType;
import org.tensorflow.framework.TensorProto;
import org.tensorflow.framework.TensorShapeProto;
import tensorflow.serving.Predict.PredictRequest;

/**
 * PredictRequests: a valid request for half_plus_two (x: float[n]), mobilenet (images: float
 * [b,h,w,3]) or the image model (images: DT_STRING of encoded files), then tensor-level mutations —
 * dtype (valid, reference and unknown enum numbers), shape (huge, negative, rank > 254, unknown
 * rank), values that disagree with the shape, tensor_content of the wrong length, odd input names,
 * output_filter garbage, a missing model_spec.
 */
final class Tensors {
  private Tensors() {}

  static PredictRequest predict(SplittableRandom r, List<String> log) {
    PredictRequest.Builder b = PredictRequest.newBuilder();
    if (r.nextInt(15) == 0) {
      log.add("no model_spec");
    } else {
      b.setModelSpec(GrpcCases.spec(r, log));
    }
    String model = b.getModelSpec().getName();
    String input;
    TensorProto.Builder t;
    if (model.equals(FuzzCases.IMAGE) && r.nextBoolean()) {
      input = "images";
      t = TensorProto.newBuilder().setDtype(DataType.DT_STRING);
      int n = 1 + (r.nextInt(4) == 0 ? r.nextInt(3) : 0);
      int budget = 900_000;
      for (int i = 0; i < n; i++) {
        byte[] img = Images.pick(r, log);
        if (img.length > budget) {
          break;
        }
        budget -= img.length;
        t.addStringVal(ByteString.copyFrom(img));
      }
      t.setTensorShape(shape(t.getStringValCount()));
    } else if (model.equals(FuzzCases.MOBILENET) || model.equals(FuzzCases.IMAGE)) {
      input = "images";
      boolean full = r.nextInt(5) == 0;
      int side = full ? 224 : 1 + r.nextInt(16);
      log.add("pixels 1x" + side + "x" + side + "x3");
      t = TensorProto.newBuilder().setDtype(DataType.DT_FLOAT).setTensorShape(shape(1, side, side, 3));
      ByteBuffer px = ByteBuffer.allocate(side * side * 3 * 4).order(ByteOrder.LITTLE_ENDIAN);
      while (px.hasRemaining()) {
        px.putFloat((float) r.nextDouble() * 2 - 1);
      }
      t.setTensorContent(ByteString.copyFrom(px.array()));
    } else {
      input = "x";
      int n = r.nextInt(6);
      t = TensorProto.newBuilder().setDtype(DataType.DT_FLOAT).setTensorShape(shape(n));
      for (int i = 0; i < n; i++) {
        t.addFloatVal((float) r.nextDouble() * 100);
      }
      log.add("x[" + n + "]");
    }
    for (int i = 0, m = r.nextInt(3) == 0 ? 0 : 1 + r.nextInt(3); i < m; i++) {
      mutate(t, r, log);
    }
    if (r.nextInt(10) == 0) {
      String[] names = {"y", "x:0", "", "images:0", "image_bytes", Mutators.randomString(r, 8)};
      input = names[r.nextInt(names.length)];
      log.add("input '" + input + "'");
    }
    b.putInputs(input, t.build());
    if (r.nextInt(10) == 0) {
      log.add("extra input");
      b.putInputs(Mutators.randomString(r, 3), TensorProto.newBuilder().setDtype(DataType.DT_INT32)
          .setTensorShape(shape(1)).addIntVal(7).build());
    }
    if (r.nextInt(6) == 0) {
      String[] filters = {"y", "y", "scores", "", "nope", "logits", "probabilities", Mutators.randomString(r, 5)};
      for (int i = 0, n = 1 + r.nextInt(3); i < n; i++) {
        b.addOutputFilter(filters[r.nextInt(filters.length)]);
      }
      log.add("output_filter " + b.getOutputFilterList());
    }
    return b.build();
  }

  static TensorShapeProto shape(long... dims) {
    TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
    for (long d : dims) {
      s.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
    }
    return s.build();
  }

  /** One tensor-level mutation. */
  static void mutate(TensorProto.Builder t, SplittableRandom r, List<String> log) {
    switch (r.nextInt(9)) {
      case 0 -> {
        int[] dtypes = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 14, 17, 18, 19, 20, 21, 22, 23, 101, 107, 0, 24, 999, -1};
        int d = dtypes[r.nextInt(dtypes.length)];
        log.add("dtype " + d);
        t.setDtypeValue(d);
      }
      case 1 -> {
        long[] sizes = {0, 1, 2, -1, -2, 1L << 31, 1L << 32, 1L << 40, 1L << 62, Long.MAX_VALUE, Long.MIN_VALUE,
            224, 1_000_000_000};
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        int rank = r.nextInt(6);
        for (int i = 0; i < rank; i++) {
          s.addDim(TensorShapeProto.Dim.newBuilder().setSize(sizes[r.nextInt(sizes.length)]));
        }
        log.add("shape " + s.getDimList().stream().map(x -> Long.toString(x.getSize())).toList());
        t.setTensorShape(s);
      }
      case 2 -> {
        int rank = 250 + r.nextInt(60);
        long size = r.nextBoolean() ? 1 : 2;
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (int i = 0; i < rank; i++) {
          s.addDim(TensorShapeProto.Dim.newBuilder().setSize(size));
        }
        log.add("rank " + rank + " of " + size);
        t.setTensorShape(s);
      }
      case 3 -> {
        log.add("unknown_rank");
        t.setTensorShape(t.getTensorShape().toBuilder().setUnknownRank(true));
      }
      case 4 -> {
        int n = r.nextInt(5) == 0 ? 1 + r.nextInt(700_000) : r.nextInt(64);
        log.add("tensor_content " + n + " B");
        t.setTensorContent(ByteString.copyFrom(Mutators.randomBytes(r, n)));
      }
      case 5 -> {
        int n = 1 + r.nextInt(r.nextBoolean() ? 8 : 50_000);
        log.add("+" + n + " float_val");
        for (int i = 0; i < n; i++) {
          t.addFloatVal(i);
        }
      }
      case 6 -> {
        int kind = r.nextInt(6);
        log.add("other vals " + kind);
        for (int i = 0, n = 1 + r.nextInt(10); i < n; i++) {
          switch (kind) {
            case 0 -> t.addIntVal(r.nextInt());
            case 1 -> t.addInt64Val(r.nextLong());
            case 2 -> t.addHalfVal(r.nextInt(1 << 20));
            case 3 -> t.addStringVal(ByteString.copyFrom(Mutators.randomBytes(r, r.nextInt(100))));
            case 4 -> t.addBoolVal(r.nextBoolean());
            default -> t.addScomplexVal(1f);
          }
        }
      }
      case 7 -> {
        log.add("clear values");
        t.clearFloatVal().clearTensorContent().clearStringVal();
      }
      default -> {
        log.add("string dtype");
        t.setDtype(DataType.DT_STRING);
      }
    }
  }
}
