package io.tessera.servables.warmup;

import io.tessera.proto.serving.ClassificationRequest;
import io.tessera.proto.serving.MultiInferenceRequest;
import io.tessera.proto.serving.PredictRequest;
import io.tessera.proto.serving.RegressionRequest;
import io.tessera.servables.SavedModelBundle;

/**
 * Replays one warmup request directly on a freshly loaded bundle (not through the serving
 * map; the request's model name and version are ignored, its signature name is honoured).
 * Each method returns true when it ran the request, false when this replayer does not support
 * the kind (the record is then counted as skipped); a failing request throws, which fails the
 * load. Implementations must be thread-safe and must free every tensor they create.
 */
public interface WarmupReplayer {
  boolean predict(SavedModelBundle bundle, PredictRequest request);

  boolean classify(SavedModelBundle bundle, ClassificationRequest request);

  boolean regress(SavedModelBundle bundle, RegressionRequest request);

  boolean multiInference(SavedModelBundle bundle, MultiInferenceRequest request);
}
