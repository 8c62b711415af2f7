package io.tessera.serving;

import io.tessera.proto.serving.InferenceResult;
import io.tessera.proto.serving.MultiInferenceResponse;
import io.tessera.requestlog.RequestLogger;
import io.tessera.servables.Servable;
import io.tessera.servables.Signature;
import io.tessera.servables.inference.InferenceRunner;
import io.tessera.status.ServingException;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * The MultiInference half of {@link Pipeline}: TF Serving's checks and wording (one model
 * version, no duplicate signature, classify/regress only), then each task's run on the shared
 * examples, all on the same held version, and the request log record of a sampled call. Stateless.
 */
final class MultiInferenceRun {
  private MultiInferenceRun() {}

  static MultiInferenceResponse run(Pipeline pipeline, MultiInferenceCall call) {
    if (call.tasks().isEmpty()) {
      throw ServingException.invalidArgument("Tasks is empty");
    }
    ModelRef first = call.tasks().get(0).model();
    Set<String> signatures = new HashSet<>();
    for (MultiInferenceCall.Task task : call.tasks()) {
      if (!task.model().name().equals(first.name())) {
        throw ServingException.invalidArgument("All ModelSpecs in a MultiInferenceRequest must access the same model name");
      }
      if (!Objects.equals(task.model().version(), first.version())) {
        throw ServingException.invalidArgument("Input request specifies different versions of the same model");
      }
      String name = task.signatureName().isEmpty() ? Signature.DEFAULT_KEY : task.signatureName();
      if (!signatures.add(name)) {
        throw ServingException.invalidArgument("Duplicate evaluation of signature: " + name);
      }
      if (!task.methodName().equals(InferenceRunner.CLASSIFY_METHOD)
          && !task.methodName().equals(InferenceRunner.REGRESS_METHOD)) {
        throw ServingException.unimplemented("Unsupported signature method_name: " + task.methodName());
      }
    }
    try (ResolvedVersion version = pipeline.resolve(first, null)) {
      Servable servable = version.model().servable();
      boolean check = pipeline.checksMethods(call.origin());
      MultiInferenceResponse.Builder response = MultiInferenceResponse.newBuilder();
      for (MultiInferenceCall.Task task : call.tasks()) {
        Signature signature = servable.signature(task.signatureName());
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
}
