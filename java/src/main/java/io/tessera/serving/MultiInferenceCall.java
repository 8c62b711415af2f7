package io.tessera.serving;

import io.tessera.proto.serving.Input;
import java.util.List;

/**
 * Several classify/regress tasks over one Input (PredictionService.MultiInference); as in TF
 * Serving, the first task's ModelSpec picks the version and every task must name that model.
 */
public record MultiInferenceCall(List<Task> tasks, Input input, CallDeadline deadline, Origin origin) {
  public MultiInferenceCall {
    tasks = List.copyOf(tasks);
  }

  /** @param methodName tensorflow/serving/classify or tensorflow/serving/regress */
  public record Task(ModelRef model, String signatureName, String methodName) {}
}
