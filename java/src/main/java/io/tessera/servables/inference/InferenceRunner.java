package io.tessera.servables.inference;

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
import io.tessera.servables.TensorSpec;
import io.tessera.status.ServingException;
import io.tessera.tensor.DataType;
import io.tessera.tensor.InputTensor;
import io.tessera.tensor.OutputTensor;
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
  private static final String CLASSES = "classes";
  private static final String SCORES = "scores";
  private static final String OUTPUTS = "outputs";

  private InferenceRunner() {}

  /**
   * @param checkMethodName --enable_signature_method_name_check
   * @param onRun sees the run once it finished (for run metrics), before its outputs are read
   */
  public static ClassificationResult classify(Servable servable, Signature signature, Input input,
      boolean checkMethodName, SignatureRunner.RunSettings settings, Consumer<RunResult> onRun) {
    checkMethod(signature, CLASSIFY_METHOD, checkMethodName, "classification");
    TensorSpec classesSpec = signature.outputs().get(CLASSES);
    TensorSpec scoresSpec = signature.outputs().get(SCORES);
    if (classesSpec == null && scoresSpec == null) {
      throw ServingException.invalidArgument("Expected classification signature outputs to contain at least one of "
          + "\"" + CLASSES + "\" and \"" + SCORES + "\"");
    }
    List<String> fetch = new ArrayList<>();
    if (classesSpec != null) {
      fetch.add(CLASSES);
    }
    if (scoresSpec != null) {
      fetch.add(SCORES);
    }
    try (RunOnExamples run = new RunOnExamples(servable, signature, input, fetch, settings, onRun)) {
      long n = run.examples;
      OutputTensor classes = classesSpec == null ? null : run.output(CLASSES);
      OutputTensor scores = scoresSpec == null ? null : run.output(SCORES);
      long k = classes != null ? perExample(classes, n, "classes") : perExample(scores, n, "scores");
      if (classes != null && scores != null && perExample(scores, n, "scores") != k) {
        throw ServingException.invalidArgument("Tensors class and score should match in dim[1]");
      }
      if (classes != null && classes.dtype() != DataType.DT_STRING) {
        throw ServingException.invalidArgument("Expected classes Tensor of DT_STRING. Got: " + classes.dtype());
      }
      if (scores != null && scores.dtype() != DataType.DT_FLOAT) {
        throw ServingException.invalidArgument("Expected scores Tensor of DT_FLOAT. Got: " + scores.dtype());
      }
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

  /** As {@link #classify}, for regression signatures. */
  public static RegressionResult regress(Servable servable, Signature signature, Input input,
      boolean checkMethodName, SignatureRunner.RunSettings settings, Consumer<RunResult> onRun) {
    checkMethod(signature, REGRESS_METHOD, checkMethodName, "regression");
    if (!signature.outputs().containsKey(OUTPUTS)) {
      throw ServingException.invalidArgument("No regression outputs found in signature. Expected output \""
          + OUTPUTS + "\"");
    }
    try (RunOnExamples run = new RunOnExamples(servable, signature, input, List.of(OUTPUTS), settings, onRun)) {
      OutputTensor outputs = run.output(OUTPUTS);
      if (outputs.dtype() != DataType.DT_FLOAT) {
        throw ServingException.invalidArgument("Expected output Tensor of DT_FLOAT. Got: " + outputs.dtype());
      }
      if (perExample(outputs, run.examples, "outputs") != 1) {
        throw ServingException.invalidArgument("Expected output Tensor shape to be either [batch_size] or "
            + "[batch_size, 1] but got " + java.util.Arrays.toString(outputs.shape()));
      }
      RegressionResult.Builder result = RegressionResult.newBuilder();
      for (long i = 0; i < run.examples; i++) {
        result.addRegressions(Regression.newBuilder().setValue(outputs.getFloat(i)));
      }
      return result.build();
    }
  }

  /** --enable_signature_method_name_check for Predict: any of the three serving method names. */
  public static void checkPredictMethod(Signature signature, boolean check) {
    String method = signature.methodName();
    if (check && !method.equals(PREDICT_METHOD) && !method.equals(CLASSIFY_METHOD) && !method.equals(REGRESS_METHOD)) {
      throw ServingException.invalidArgument("Expected prediction signature method_name to be one of {"
          + PREDICT_METHOD + ", " + CLASSIFY_METHOD + ", " + REGRESS_METHOD + "}. Was: " + method);
    }
  }

  private static void checkMethod(Signature signature, String method, boolean check, String what) {
    if (check && !signature.methodName().equals(method)) {
      throw ServingException.invalidArgument("Expected " + what + " signature method_name to be " + method
          + ". Was: " + signature.methodName());
    }
  }

  /** Elements per example of a [N] or [N, K] output; errors in TF Serving's words otherwise. */
  private static long perExample(OutputTensor t, long examples, String name) {
    if (t.rank() == 0 || t.dim(0) != examples) {
      throw ServingException.invalidArgument("Expected " + name + " Tensor shape with batch size " + examples
          + " but got " + java.util.Arrays.toString(t.shape()));
    }
    if (t.rank() > 2) {
      throw ServingException.invalidArgument("Expected Tensor shape: [batch_size num_classes] but got "
          + java.util.Arrays.toString(t.shape()));
    }
    return t.rank() == 1 ? 1 : t.dim(1);
  }

  /** Feeds the Examples to the signature's one input and fetches the named outputs. */
  private static final class RunOnExamples implements AutoCloseable {
    final long examples;
    private final RunResult result;

    RunOnExamples(Servable servable, Signature signature, Input input, List<String> fetch,
        SignatureRunner.RunSettings settings, Consumer<RunResult> onRun) {
      if (signature.inputs().size() != 1) {
        throw ServingException.invalidArgument("Expected one input Tensor.");
      }
      List<byte[]> serialized = ExampleInputs.serialize(input);
      examples = serialized.size();
      String alias = signature.inputs().keySet().iterator().next();
      try (InputTensor tensor = InputTensor.strings(new long[] {examples}, serialized)) {
        result = servable.run(signature, Map.of(alias, tensor), fetch, settings);
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
