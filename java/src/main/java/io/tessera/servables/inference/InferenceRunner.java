package io.tessera.servables.inference;

import com.google.protobuf.TextFormat;
import io.tessera.proto.serving.Class;
import io.tessera.proto.serving.ClassificationResult;
import io.tessera.proto.serving.Classifications;
import io.tessera.proto.serving.Input;
import io.tessera.proto.serving.Regression;
import io.tessera.proto.serving.RegressionResult;
import io.tessera.servables.RunResult;
import io.tessera.servables.Servable;
import io.tessera.servables.Signature;
import io.tessera.servables.SignatureRunner;
import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import io.tessera.tensor.DataType;
import io.tessera.tensor.InputTensor;
import io.tessera.tensor.OutputTensor;
import io.tessera.tensor.Shapes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Classification and regression over tf.Examples (TF Serving's classifier/regressor): the
 * signature's single string input gets the serialized Examples, and the outputs {@code classes} /
 * {@code scores} (classify) or {@code outputs} (regress) become the result protos. Called only by
 * the request pipeline ({@code io.tessera.serving.Pipeline}), for every front end. Stateless and
 * thread-safe.
 */
public final class InferenceRunner {
  public static final String CLASSIFY_METHOD = "tensorflow/serving/classify";
  public static final String REGRESS_METHOD = "tensorflow/serving/regress";
  public static final String PREDICT_METHOD = "tensorflow/serving/predict";
  /** The input alias classification and regression signatures feed (signature_constants' kClassifyInputs). */
  private static final String INPUTS = "inputs";
  private static final String CLASSES = "classes";
  private static final String SCORES = "scores";
  private static final String OUTPUTS = "outputs";

  private InferenceRunner() {}

  /**
   * The signature a Classify or Regress names ("" = serving_default), in TF Serving's words when
   * absent ({@code GetClassificationSignatureDef} / {@code GetRegressionSignatureDef}).
   */
  public static Signature signatureFor(Servable servable, String key) {
    String name = key == null || key.isEmpty() ? Signature.DEFAULT_KEY : key;
    Signature signature = servable.signatures().get(name);
    if (signature == null) {
      throw ServingException.invalidArgument("No signature was found with the name: " + name);
    }
    return signature;
  }

  /**
   * TF Serving's {@code PreProcessClassification} (classifier.cc), in its order: method name
   * (when checked), one input, one or two outputs, the input {@code inputs}, then an output
   * {@code classes} or {@code scores}.
   */
  public static void checkClassification(Signature signature, boolean checkMethodName) {
    checkMethod(signature, CLASSIFY_METHOD, checkMethodName, "classification");
    if (signature.inputs().size() != 1) {
      throw ServingException.invalidArgument("Expected one input Tensor.");
    }
    int outputs = signature.outputs().size();
    if (outputs != 1 && outputs != 2) {
      throw ServingException.invalidArgument("Expected one or two output Tensors, found " + outputs);
    }
    if (!signature.inputs().containsKey(INPUTS)) {
      throw ServingException.invalidArgument("No classification inputs found in SignatureDef: " + debugString(signature));
    }
    if (!signature.outputs().containsKey(CLASSES) && !signature.outputs().containsKey(SCORES)) {
      throw ServingException.invalidArgument("Expected classification signature outputs to contain at least one of "
          + "\"" + CLASSES + "\" or \"" + SCORES + "\". Signature was: " + debugString(signature));
    }
  }

  /** TF Serving's {@code PreProcessRegression} (regressor.cc), in its order. */
  public static void checkRegression(Signature signature, boolean checkMethodName) {
    checkMethod(signature, REGRESS_METHOD, checkMethodName, "regression");
    if (signature.inputs().size() != 1) {
      throw ServingException.invalidArgument("Expected one input Tensor.");
    }
    if (signature.outputs().size() != 1) {
      throw ServingException.invalidArgument("Expected one output Tensor.");
    }
    if (!signature.inputs().containsKey(INPUTS)) {
      throw ServingException.invalidArgument("No regression inputs found in SignatureDef: " + debugString(signature));
    }
    if (!signature.outputs().containsKey(OUTPUTS)) {
      throw ServingException.invalidArgument("No regression outputs found in SignatureDef: " + debugString(signature));
    }
  }

  /**
   * @param checkMethodName --enable_signature_method_name_check
   * @param onRun sees the run once it finished (for run metrics), before its outputs are read
   */
  public static ClassificationResult classify(Servable servable, Signature signature, Input input,
      boolean checkMethodName, SignatureRunner.RunSettings settings, Consumer<RunResult> onRun) {
    checkClassification(signature, checkMethodName);
    boolean hasClasses = signature.outputs().containsKey(CLASSES);
    boolean hasScores = signature.outputs().containsKey(SCORES);
    List<String> fetch = new ArrayList<>();
    if (hasClasses) {
      fetch.add(CLASSES);
    }
    if (hasScores) {
      fetch.add(SCORES);
    }
    try (RunOnExamples run = new RunOnExamples(servable, signature, input, fetch, settings, onRun)) {
      // TF Serving's PostProcessClassificationResult, check by check.
      long n = run.examples;
      OutputTensor classes = hasClasses ? run.output(CLASSES) : null;
      OutputTensor scores = hasScores ? run.output(SCORES) : null;
      checkClassOutput(classes, "classes", DataType.DT_STRING, n);
      checkClassOutput(scores, "scores", DataType.DT_FLOAT, n);
      if (classes != null && scores != null && classes.dim(1) != scores.dim(1)) {
        throw ServingException.invalidArgument("Tensors class and score should match in dim_size(1). Got "
            + classes.dim(1) + " vs. " + scores.dim(1));
      }
      long k = classes != null ? classes.dim(1) : scores.dim(1);
      ClassificationResult.Builder result = ClassificationResult.newBuilder();
      for (long i = 0; i < n; i++) {
        Classifications.Builder row = result.addClassificationsBuilder();
        for (long j = 0; j < k; j++) {
          Class.Builder c = row.addClassesBuilder();
          if (classes != null) {
            c.setLabel(new String(classes.getString(i * k + j), StandardCharsets.UTF_8));
          }
          if (scores != null) {
            c.setScore(scores.getFloat(i * k + j));
          }
        }
      }
      return result.build();
    }
  }

  private static void checkClassOutput(OutputTensor t, String name, DataType dtype, long examples) {
    if (t == null) {
      return;
    }
    if (t.rank() != 2) {
      throw ServingException.invalidArgument("Expected Tensor shape: [batch_size num_classes] but got "
          + Shapes.debugString(t.shape()));
    }
    if (t.dtype() != dtype) {
      throw ServingException.invalidArgument("Expected " + name + " Tensor of " + dtype + ". Got: " + t.dtype());
    }
    if (t.dim(0) != examples) {
      throw ServingException.invalidArgument("Expected " + name + " output batch size of " + examples
          + ". Got: " + t.dim(0));
    }
  }

  /** As {@link #classify}, for regression signatures. */
  public static RegressionResult regress(Servable servable, Signature signature, Input input,
      boolean checkMethodName, SignatureRunner.RunSettings settings, Consumer<RunResult> onRun) {
    checkRegression(signature, checkMethodName);
    try (RunOnExamples run = new RunOnExamples(servable, signature, input, List.of(OUTPUTS), settings, onRun)) {
      // TF Serving's PostProcessRegressionResult, check by check.
      OutputTensor outputs = run.output(OUTPUTS);
      if (!(outputs.rank() == 1 || (outputs.rank() == 2 && outputs.dim(1) == 1))) {
        throw ServingException.invalidArgument("Expected output Tensor shape to be either [batch_size] or "
            + "[batch_size, 1] but got " + Shapes.debugString(outputs.shape()));
      }
      if (run.examples != outputs.dim(0)) {
        throw ServingException.invalidArgument("Input batch size did not match output batch size: "
            + run.examples + " vs. " + outputs.dim(0));
      }
      if (outputs.dtype() != DataType.DT_FLOAT) {
        throw ServingException.invalidArgument("Expected output Tensor of DT_FLOAT.  Got: " + outputs.dtype());
      }
      RegressionResult.Builder result = RegressionResult.newBuilder();
      for (long i = 0; i < run.examples; i++) {
        result.addRegressions(Regression.newBuilder().setValue(outputs.getFloat(i)));
      }
      return result.build();
    }
  }

  /**
   * --enable_signature_method_name_check for Predict: any of the three serving method names;
   * INTERNAL as TF Serving's {@code VerifySignature} (predict_util.cc) says.
   */
  public static void checkPredictMethod(Signature signature, boolean check) {
    String method = signature.methodName();
    if (check && !method.equals(PREDICT_METHOD) && !method.equals(CLASSIFY_METHOD) && !method.equals(REGRESS_METHOD)) {
      throw new ServingException(StatusCode.INTERNAL, "Expected prediction signature method_name to be one of {"
          + PREDICT_METHOD + ", " + CLASSIFY_METHOD + ", " + REGRESS_METHOD + "}. Was: " + method);
    }
  }

  private static void checkMethod(Signature signature, String method, boolean check, String what) {
    if (check && !signature.methodName().equals(method)) {
      throw ServingException.invalidArgument("Expected " + what + " signature method_name to be " + method
          + ". Was: " + signature.methodName());
    }
  }

  /** The SignatureDef as C++ protobuf's {@code DebugString} prints it (text format, map keys sorted). */
  private static String debugString(Signature signature) {
    return TextFormat.printer().printToString(signature.def());
  }

  /** Feeds the Examples to the signature's one input and fetches the named outputs. */
  private static final class RunOnExamples implements AutoCloseable {
    final long examples;
    private final RunResult result;

    RunOnExamples(Servable servable, Signature signature, Input input, List<String> fetch,
        SignatureRunner.RunSettings settings, Consumer<RunResult> onRun) {
      List<byte[]> serialized = ExampleInputs.serialize(input);
      examples = serialized.size();
      try (InputTensor tensor = InputTensor.strings(new long[] {examples}, serialized)) {
        result = servable.run(signature, Map.of(INPUTS, tensor), fetch, settings);
      }
      try {
        onRun.accept(result);
      } catch (RuntimeException e) {
        result.close();
        throw e;
      }
    }

    OutputTensor output(String alias) {
      return result.outputs().stream().filter(o -> o.alias().equals(alias)).findFirst().orElseThrow();
    }

    @Override
    public void close() {
      result.close();
    }
  }
}
