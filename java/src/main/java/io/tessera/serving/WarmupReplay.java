package io.tessera.serving;

import io.tessera.core.ServableId;
import io.tessera.core.VersionStatus;
import io.tessera.metrics.ServingMetrics;
import io.tessera.proto.serving.ClassificationRequest;
import io.tessera.proto.serving.InferenceTask;
import io.tessera.proto.serving.ModelSpec;
import io.tessera.proto.serving.MultiInferenceRequest;
import io.tessera.proto.serving.PredictRequest;
import io.tessera.proto.serving.RegressionRequest;
import io.tessera.servables.warmup.WarmupReplayer;
import java.util.List;

/**
 * Warmup through the request pipeline: each record becomes the same typed call a gRPC request
 * would (entry point WARMUP, no deadline, wire tensors trusted as the model's own data) and runs
 * on the one version being loaded, whatever model spec the record names. Encoded images in a
 * predict record are therefore decoded like a live request's. Thread-safe.
 */
public final class WarmupReplay implements WarmupReplayer<ServedModel> {
  private final ServingMetrics metrics;
  private final ServableId id;

  /** @param id the version being loaded (run metrics are recorded under its name) */
  public WarmupReplay(ServingMetrics metrics, ServableId id) {
    this.metrics = metrics;
    this.id = id;
  }

  /** The version being warmed up. */
  public ServableId id() {
    return id;
  }

  @Override
  public boolean predict(ServedModel version, PredictRequest request) {
    ModelSpec spec = request.getModelSpec();
    PredictCall call = new PredictCall(ref(), spec.getSignatureName(),
        new PredictInputs.Protos(request.getInputsMap(), true), request.getOutputFilterList(),
        CallDeadline.NONE, Origin.warmup("Predict"));
    return pipeline(version).predict(call, ran -> true);
  }

  @Override
  public boolean classify(ServedModel version, ClassificationRequest request) {
    pipeline(version).classify(ExamplesCall.of(ref(), request.getModelSpec().getSignatureName(),
        request.getInput(), CallDeadline.NONE, Origin.warmup("Classify")));
    return true;
  }

  @Override
  public boolean regress(ServedModel version, RegressionRequest request) {
    pipeline(version).regress(ExamplesCall.of(ref(), request.getModelSpec().getSignatureName(),
        request.getInput(), CallDeadline.NONE, Origin.warmup("Regress")));
    return true;
  }

  @Override
  public boolean multiInference(ServedModel version, MultiInferenceRequest request) {
    // Every task runs on the version being loaded: the records' specs are not compared.
    List<MultiInferenceCall.Task> tasks = request.getTasksList().stream()
        .map((InferenceTask task) -> new MultiInferenceCall.Task(ref(),
            task.getModelSpec().getSignatureName(), task.getMethodName()))
        .toList();
    pipeline(version).multiInference(new MultiInferenceCall(tasks, request.getInput(), CallDeadline.NONE,
        Origin.warmup("MultiInference")));
    return true;
  }

  private ModelRef ref() {
    return new ModelRef(id.name(), id.version(), "");
  }

  /** A pipeline whose only version is the one being loaded (no method-name checks: WARMUP). */
  private Pipeline pipeline(ServedModel version) {
    return new Pipeline(new ModelVersions() {
      @Override
      public ResolvedVersion acquire(ModelRef ref) {
        return new ResolvedVersion(id, version, () -> {});
      }

      @Override
      public List<VersionStatus> status(String name, Long v) {
        return List.of();
      }
    }, metrics, true);
  }
}
