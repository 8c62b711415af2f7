package io.tessera.servables.warmup;

import io.tessera.proto.serving.ClassificationRequest;
import io.tessera.proto.serving.InferenceTask;
import io.tessera.servables.inference.InferenceRunner;
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
 * Replays every kind of warmup record on the new bundle: predict through {@link SignatureRunner},
 * classify/regress/multi-inference through {@link InferenceRunner} (as the APIs do).
 */
public final class RequestWarmupReplayer implements WarmupReplayer {
  @Override
  public boolean predict(SavedModelBundle bundle, PredictRequest request) {
    Map<String, InputTensor> inputs = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, TensorProto> e : request.getInputsMap().entrySet()) {
        inputs.put(e.getKey(), TensorProtoCodec.decodeTrusted(e.getKey(), e.getValue()));
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
    InferenceRunner.classify(bundle, bundle.signature(request.getModelSpec().getSignatureName()),
        request.getInput(), false, SignatureRunner.RunSettings.DEFAULT);
    return true;
  }

  @Override
  public boolean regress(SavedModelBundle bundle, RegressionRequest request) {
    InferenceRunner.regress(bundle, bundle.signature(request.getModelSpec().getSignatureName()),
        request.getInput(), false, SignatureRunner.RunSettings.DEFAULT);
    return true;
  }

  @Override
  public boolean multiInference(SavedModelBundle bundle, MultiInferenceRequest request) {
    for (InferenceTask task : request.getTasksList()) {
      var signature = bundle.signature(task.getModelSpec().getSignatureName());
      if (task.getMethodName().equals(InferenceRunner.CLASSIFY_METHOD)) {
        InferenceRunner.classify(bundle, signature, request.getInput(), false, SignatureRunner.RunSettings.DEFAULT);
      } else {
        InferenceRunner.regress(bundle, signature, request.getInput(), false, SignatureRunner.RunSettings.DEFAULT);
      }
    }
    return true;
  }
}
