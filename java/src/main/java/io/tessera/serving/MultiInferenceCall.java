package io.tessera.serving;

import io.tessera.proto.serving.Input;
import java.util.List;

/**
 * Several classify/regress tasks over one Input (PredictionService.MultiInference); the pipeline
 * checks that every task names the same model version, as TF Serving does.
 */
public record MultiInferenceCall(List<Task> tasks, Input input, CallDeadline deadline, Origin origin) {
  public MultiInferenceCall {
    tasks = List.copyOf(tasks);
  }

  /** @param methodName tensorflow/serving/classify or tensorflow/serving/regress */
  public record Task(ModelRef model, String signatureName, String methodName) {}
}
