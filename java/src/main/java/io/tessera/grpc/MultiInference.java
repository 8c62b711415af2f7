package io.tessera.grpc;

import io.tessera.core.ServableHandle;
import io.tessera.status.ServingException;
import io.tessera.proto.serving.InferenceResult;
import io.tessera.proto.serving.InferenceTask;
import io.tessera.proto.serving.ModelSpec;
import io.tessera.proto.serving.MultiInferenceRequest;
import io.tessera.proto.serving.MultiInferenceResponse;
import io.tessera.servables.SavedModelBundle;
import io.tessera.servables.Signature;
import io.tessera.servables.inference.InferenceRunner;
import io.tessera.servables.SignatureRunner;
import io.tessera.serving.ModelResponses;
import io.tessera.serving.ServerCore;
import java.util.HashSet;
import java.util.Set;

/**
 * PredictionService.MultiInference: several classify/regress tasks over one Input, all on the same
 * model version (TF Serving's checks and wording). Each task runs its signature on the shared
 * examples. Stateless.
 */
final class MultiInference {
  private MultiInference() {}

  static MultiInferenceResponse run(ServerCore core, MultiInferenceRequest request,
      SignatureRunner.RunSettings settings) {
    if (request.getTasksCount() == 0) {
      throw ServingException.invalidArgument("Tasks is empty");
    }
    ModelSpec first = request.getTasks(0).getModelSpec();
    Set<String> signatures = new HashSet<>();
    for (InferenceTask task : request.getTasksList()) {
      ModelSpec spec = task.getModelSpec();
      if (!spec.getName().equals(first.getName())) {
        throw ServingException.invalidArgument("All ModelSpecs in a MultiInferenceRequest must access the same model name");
      }
      if (spec.hasVersion() != first.hasVersion() || (spec.hasVersion()
          && spec.getVersion().getValue() != first.getVersion().getValue())) {
        throw ServingException.invalidArgument("Input request specifies different versions of the same model");
      }
      String name = spec.getSignatureName().isEmpty() ? Signature.DEFAULT_KEY : spec.getSignatureName();
      if (!signatures.add(name)) {
        throw ServingException.invalidArgument("Duplicate evaluation of signature: " + name);
      }
      if (!task.getMethodName().equals(InferenceRunner.CLASSIFY_METHOD)
          && !task.getMethodName().equals(InferenceRunner.REGRESS_METHOD)) {
        throw ServingException.unimplemented("Unsupported signature method_name: " + task.getMethodName());
      }
    }
    try (ServableHandle<SavedModelBundle> handle = PredictionServiceImpl.acquire(core, first)) {
      SavedModelBundle bundle = handle.servable();
      MultiInferenceResponse.Builder response = MultiInferenceResponse.newBuilder();
      for (InferenceTask task : request.getTasksList()) {
        Signature signature = bundle.signature(task.getModelSpec().getSignatureName());
        InferenceResult.Builder result = response.addResultsBuilder()
            .setModelSpec(ModelResponses.resolvedSpec(handle.id().name(), handle.id().version(), signature.key()));
        if (task.getMethodName().equals(InferenceRunner.CLASSIFY_METHOD)) {
          result.setClassificationResult(InferenceRunner.classify(bundle, signature, request.getInput(),
              core.checkMethodNames(), settings));
        } else {
          result.setRegressionResult(InferenceRunner.regress(bundle, signature, request.getInput(),
              core.checkMethodNames(), settings));
        }
      }
      return response.build();
    }
  }
}
