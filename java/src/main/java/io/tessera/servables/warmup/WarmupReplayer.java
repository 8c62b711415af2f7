package io.tessera.servables.warmup;

import io.tessera.proto.serving.ClassificationRequest;
import io.tessera.proto.serving.MultiInferenceRequest;
import io.tessera.proto.serving.PredictRequest;
import io.tessera.proto.serving.RegressionRequest;

/**
 * Replays one warmup request directly on a freshly loaded version {@code V} (not through the
 * serving map; the request's model name and version are ignored, its signature name is honoured).
 * The server's implementation ({@code io.tessera.serving.WarmupReplay}) sends each record through
 * the request pipeline, so it takes the path live requests take (image decoding included); this
 * package never sees that pipeline. Each method returns true when it ran the request, false when
 * this replayer does not support the kind (the record is then counted as skipped); a failing
 * request throws, which fails the load. Implementations must be thread-safe and must free every
 * tensor they create.
 */
public interface WarmupReplayer<V> {
  boolean predict(V version, PredictRequest request);

  boolean classify(V version, ClassificationRequest request);

  boolean regress(V version, RegressionRequest request);

  boolean multiInference(V version, MultiInferenceRequest request);
}
