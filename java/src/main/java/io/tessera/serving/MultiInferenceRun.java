package io.tessera.serving;

import io.tessera.proto.serving.InferenceResult;
import io.tessera.proto.serving.MultiInferenceResponse;
import io.tessera.requestlog.RequestLogger;
import io.tessera.servables.Servable;
import io.tessera.servables.Signature;
import io.tessera.servables.inference.InferenceRunner;
import io.tessera.status.ServingException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The MultiInference half of {@link Pipeline}, as TF Serving's {@code RunMultiInferenceWithServerCore}
 * and {@code TensorFlowMultiInferenceRunner::Infer} (multi_inference.cc, multi_inference_helper.cc)
 * do it, in their order and words: the first task's ModelSpec picks the version (no task: an
 * empty spec), then every task is checked (a model name, the same name, no duplicate signature,
 * the signature exists, classify/regress and that method's signature checks) before anything
 * runs; then each task runs on the shared examples, all on the same held version. TF Serving
 * makes one session run for all tasks; this makes one per task (same results; a failing task
 * after the first has then already run the earlier ones). A sampled call's request log record
 * is handed to the version's log. Stateless.
 */
final class MultiInferenceRun {
  private static final ModelRef NO_TASK = new ModelRef("", null, "");

  private MultiInferenceRun() {}

  static MultiInferenceResponse run(Pipeline pipeline, MultiInferenceCall call) {
    ModelRef first = call.tasks().isEmpty() ? NO_TASK : call.tasks().get(0).model();
    try (ResolvedVersion version = pipeline.resolve(first, null)) {
      Servable servable = version.model().servable();
      boolean check = pipeline.checksMethods(call.origin());
      List<Signature> signatures = checkTasks(call.tasks(), first.name(), servable, check);
      MultiInferenceResponse.Builder response = MultiInferenceResponse.newBuilder();
      for (int i = 0; i < signatures.size(); i++) {
        MultiInferenceCall.Task task = call.tasks().get(i);
        Signature signature = signatures.get(i);
        InferenceResult.Builder result = response.addResultsBuilder()
            .setModelSpec(ModelResponses.resolvedSpec(version.id().name(), version.id().version(), signature.key()));
        if (task.methodName().equals(InferenceRunner.CLASSIFY_METHOD)) {
          result.setClassificationResult(InferenceRunner.classify(servable, signature, call.input(), check,
              call.deadline().runSettings(), pipeline.runRecorder(version, call.origin())));
        } else {
          result.setRegressionResult(InferenceRunner.regress(servable, signature, call.input(), check,
              call.deadline().runSettings(), pipeline.runRecorder(version, call.origin())));
        }
      }
      MultiInferenceResponse answer = response.build();
      RequestLogger log = RequestLogs.sampled(version, call.origin());
      if (log != null) {
        try {
          RequestLogs.multiInference(log, version, call, answer);
        } catch (RuntimeException e) {
          log.notBuilt(e);
        }
      }
      return answer;
    }
  }

  /** Every task's checks, in TF Serving's order; returns each task's signature. */
  private static List<Signature> checkTasks(List<MultiInferenceCall.Task> tasks, String model, Servable servable,
      boolean checkMethodNames) {
    Set<String> seen = new HashSet<>();
    List<Signature> signatures = new ArrayList<>();
    for (MultiInferenceCall.Task task : tasks) {
      if (task.model().name().isEmpty()) {
        throw ServingException.invalidArgument("Found ModelSpec with an empty model name.");
      }
      if (!task.model().name().equals(model)) {
        throw ServingException.invalidArgument(
            "All ModelSpecs in a MultiInferenceRequest must access the same model name.");
      }
      String name = task.signatureName().isEmpty() ? Signature.DEFAULT_KEY : task.signatureName();
      if (!seen.add(name)) {
        throw ServingException.invalidArgument("Duplicate evaluation of signature: " + name);
      }
      Signature signature = servable.signatures().get(name);
      if (signature == null) {
        throw ServingException.invalidArgument("Requested signature not found in model graph: " + name);
      }
      if (task.methodName().equals(InferenceRunner.CLASSIFY_METHOD)) {
        InferenceRunner.checkClassification(signature, checkMethodNames);
      } else if (task.methodName().equals(InferenceRunner.REGRESS_METHOD)) {
        InferenceRunner.checkRegression(signature, checkMethodNames);
      } else {
        throw ServingException.unimplemented("Unsupported signature method_name: " + task.methodName());
      }
      signatures.add(signature);
    }
    return signatures;
  }
}
