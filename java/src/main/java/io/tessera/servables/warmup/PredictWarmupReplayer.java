package io.tessera.servables.warmup;

import io.tessera.proto.serving.ClassificationRequest;
import io.tessera.proto.serving.MultiInferenceRequest;
import io.tessera.proto.serving.PredictRequest;
import io.tessera.proto.serving.RegressionRequest;
import io.tessera.proto.tf.TensorProto;
import io.tessera.servables.RunResult;
import io.tessera.servables.SavedModelBundle;
import io.tessera.servables.SignatureRunner;
import io.tessera.tensor.InputTensor;
import io.tessera.tensor.TensorProtoCodec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Replays predict requests through {@link SignatureRunner}. Classify, regress and
 * multi-inference are not replayed yet (returns false: validated and counted as skipped); plug a
 * replayer that runs them in through {@link ModelWarmup}'s constructor.
 */
public final class PredictWarmupReplayer implements WarmupReplayer {
  @Override
  public boolean predict(SavedModelBundle bundle, PredictRequest request) {
    Map<String, InputTensor> inputs = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, TensorProto> e : request.getInputsMap().entrySet()) {
        inputs.put(e.getKey(), TensorProtoCodec.decode(e.getKey(), e.getValue()));
      }
      try (RunResult ignored = SignatureRunner.run(bundle,
          bundle.signature(request.getModelSpec().getSignatureName()), inputs,
          request.getOutputFilterList(), SignatureRunner.RunSettings.DEFAULT)) {
        return true;
      }
    } finally {
      inputs.values().forEach(InputTensor::close);
    }
  }

  @Override
  public boolean classify(SavedModelBundle bundle, ClassificationRequest request) {
    return false;
  }

  @Override
  public boolean regress(SavedModelBundle bundle, RegressionRequest request) {
    return false;
  }

  @Override
  public boolean multiInference(SavedModelBundle bundle, MultiInferenceRequest request) {
    return false;
  }
}
