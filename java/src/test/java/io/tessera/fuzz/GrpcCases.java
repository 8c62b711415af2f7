package io.tessera.fuzz;

import com.google.protobuf.ByteString;
import com.google.protobuf.Int64Value;
import com.google.protobuf.MessageLite;
import java.util.List;
import java.util.SplittableRandom;
import org.tensorflow.example.BytesList;
import org.tensorflow.example.Example;
import org.tensorflow.example.Feature;
import org.tensorflow.example.Features;
import org.tensorflow.example.FloatList;
import org.tensorflow.example.Int64List;
import tensorflow.serving.Classification.ClassificationRequest;
import tensorflow.serving.GetModelMetadata.GetModelMetadataRequest;
import tensorflow.serving.GetModelStatus.GetModelStatusRequest;
import tensorflow.serving.Inference.InferenceTask;
import tensorflow.serving.Inference.MultiInferenceRequest;
import tensorflow.serving.InputOuterClass.ExampleList;
import tensorflow.serving.InputOuterClass.ExampleListWithContext;
import tensorflow.serving.InputOuterClass.Input;
import tensorflow.serving.Model.ModelSpec;
import tensorflow.serving.Predict.PredictRequest;
import tensorflow.serving.RegressionOuterClass.RegressionRequest;

/**
 * gRPC requests built with the stock (Camel-generated) TF Serving messages, then serialized and
 * optionally mutated at the byte level, or replaced by raw/crafted protobuf bytes. Every case is
 * one unary call with raw bytes, so unparsable messages reach the server as sent.
 * ModelService/HandleReloadConfigRequest is deliberately not fuzzed: a random valid config would
 * unload the models the rest of the run depends on.
 */
final class GrpcCases {
  static final String PREDICTION = "tensorflow.serving.PredictionService/";
  static final String PREDICT = PREDICTION + "Predict";

  private GrpcCases() {}

  static FuzzCase.Grpc generate(SplittableRandom r, List<String> log) {
    int k = r.nextInt(100);
    String method;
    MessageLite message;
    if (k < 45) {
      method = PREDICT;
      message = Tensors.predict(r, log);
    } else if (k < 58) {
      method = PREDICTION + (r.nextBoolean() ? "Classify" : "Regress");
      message = method.endsWith("Classify") ? ClassificationRequest.newBuilder().setModelSpec(spec(r, log))
          .setInput(input(r, log)).build()
          : RegressionRequest.newBuilder().setModelSpec(spec(r, log)).setInput(input(r, log)).build();
    } else if (k < 63) {
      method = PREDICTION + "MultiInference";
      MultiInferenceRequest.Builder b = MultiInferenceRequest.newBuilder().setInput(input(r, log));
      for (int i = 0, n = r.nextInt(4); i < n; i++) {
        b.addTasks(InferenceTask.newBuilder().setModelSpec(spec(r, log))
            .setMethodName(r.nextBoolean() ? "tensorflow/serving/regress" : Mutators.randomString(r, 8)));
      }
      message = b.build();
    } else if (k < 73) {
      method = PREDICTION + "GetModelMetadata";
      GetModelMetadataRequest.Builder b = GetModelMetadataRequest.newBuilder();
      if (r.nextInt(5) > 0) {
        b.setModelSpec(spec(r, log));
      }
      for (int i = 0, n = r.nextInt(3); i < n; i++) {
        b.addMetadataField(r.nextBoolean() ? "signature_def" : Mutators.randomString(r, 10));
      }
      message = b.build();
    } else if (k < 80) {
      method = "tensorflow.serving.ModelService/GetModelStatus";
      GetModelStatusRequest.Builder b = GetModelStatusRequest.newBuilder();
      if (r.nextInt(5) > 0) {
        b.setModelSpec(spec(r, log));
      }
      message = b.build();
    } else if (k < 84) {
      String[] methods = {PREDICTION + "Nope", "tensorflow.serving.ModelService/Predict", "x/y",
          PREDICTION + "predict", "tensorflow.serving.PredictionService2/Predict"};
      method = methods[r.nextInt(methods.length)];
      log.add("unknown method " + method);
      return new FuzzCase.Grpc(method, Mutators.randomBytes(r, r.nextInt(32)), deadline(r, log));
    } else {
      String[] methods = {PREDICT, PREDICT, PREDICT, PREDICTION + "Classify", PREDICTION + "GetModelMetadata",
          "tensorflow.serving.ModelService/GetModelStatus", PREDICTION + "MultiInference"};
      method = methods[r.nextInt(methods.length)];
      log.add(method.substring(method.indexOf('/') + 1));
      return new FuzzCase.Grpc(method, Protowire.hostile(r, log), deadline(r, log));
    }
    log.add(0, method.substring(method.indexOf('/') + 1));
    byte[] bytes = message.toByteArray();
    if (r.nextInt(8) == 0) {
      log.add("bytes:");
      bytes = Mutators.mutateBytes(bytes, r, log);
    }
    return new FuzzCase.Grpc(method, bytes, deadline(r, log));
  }

  /** Mostly 30 s (a hang shows as a timeout); sometimes 1–50 ms so deadlines reach TensorFlow. */
  static long deadline(SplittableRandom r, List<String> log) {
    if (r.nextInt(12) == 0) {
      long ms = 1 + r.nextInt(50);
      log.add("deadline " + ms + "ms");
      return ms;
    }
    return 30_000;
  }

  static ModelSpec spec(SplittableRandom r, List<String> log) {
    ModelSpec.Builder b = ModelSpec.newBuilder();
    int k = r.nextInt(20);
    String[] names = {FuzzCases.HALF_PLUS_TWO, FuzzCases.HALF_PLUS_TWO, FuzzCases.MOBILENET, FuzzCases.IMAGE};
    String name = k < 14 ? names[r.nextInt(names.length)] : k < 17 ? Mutators.randomString(r, r.nextInt(20))
        : k < 19 ? "" : "x".repeat(100_000);
    b.setName(name);
    if (r.nextInt(6) == 0) {
      long[] versions = {123, 1, 0, -1, Long.MAX_VALUE, Long.MIN_VALUE};
      b.setVersion(Int64Value.of(versions[r.nextInt(versions.length)]));
    } else if (r.nextInt(12) == 0) {
      b.setVersionLabel(r.nextBoolean() ? "stable" : Mutators.randomString(r, 6));
    }
    if (r.nextInt(4) == 0) {
      String[] sigs = {"serving_default", "classify_x_to_y", "regress_x_to_y", "regress_x2_to_y3", "", "nope",
          "regress_x_to_y2"};
      b.setSignatureName(sigs[r.nextInt(sigs.length)]);
    }
    log.add("spec " + Mutators.abbreviate(name) + (b.hasVersion() ? " v" + b.getVersion().getValue() : "")
        + (b.getSignatureName().isEmpty() ? "" : " sig " + b.getSignatureName()));
    return b.build();
  }

  static Input input(SplittableRandom r, List<String> log) {
    int k = r.nextInt(10);
    if (k == 0) {
      log.add("empty input");
      return Input.getDefaultInstance();
    }
    ExampleList.Builder list = ExampleList.newBuilder();
    for (int i = 0, n = r.nextInt(k == 1 ? 2000 : 5); i < n; i++) {
      list.addExamples(example(r));
    }
    log.add(list.getExamplesCount() + " examples");
    if (k < 8) {
      return Input.newBuilder().setExampleList(list).build();
    }
    log.add("with context");
    return Input.newBuilder().setExampleListWithContext(ExampleListWithContext.newBuilder()
        .addAllExamples(list.getExamplesList()).setContext(example(r))).build();
  }

  static Example example(SplittableRandom r) {
    Features.Builder f = Features.newBuilder();
    String[] names = {"x", "x", "x2", "y", "", "\u0000"};
    for (int i = 0, n = r.nextInt(3); i < n; i++) {
      Feature.Builder v = Feature.newBuilder();
      switch (r.nextInt(5)) {
        case 0 -> v.setFloatList(FloatList.newBuilder().addValue((float) r.nextDouble() * 10));
        case 1 -> v.setInt64List(Int64List.newBuilder().addValue(r.nextLong()));
        case 2 -> v.setBytesList(BytesList.newBuilder().addValue(ByteString.copyFrom(Mutators.randomBytes(r, 4))));
        case 3 -> {
          FloatList.Builder many = FloatList.newBuilder();
          for (int j = 0, m = r.nextInt(1000); j < m; j++) {
            many.addValue(j);
          }
          v.setFloatList(many);
        }
        default -> { /* a feature with no kind */ }
      }
      f.putFeature(names[r.nextInt(names.length)], v.build());
    }
    return Example.newBuilder().setFeatures(f).build();
  }
}
