package io.tessera.serving;

import java.util.List;
import java.util.Map;

/**
 * One Predict, from any front end.
 *
 * @param signatureName "" = serving_default (or, for encoded images, the image config's
 *     signature); a {@link PredictInputs.Deferred} may name another once decoded
 * @param outputFilter aliases to fetch; empty = all
 * @param classifications outputs to answer as their top-k classes (Triton's classification
 *     extension), by alias: k; empty = none
 */
public record PredictCall(ModelRef model, String signatureName, PredictInputs inputs,
    List<String> outputFilter, CallDeadline deadline, Origin origin, Map<String, Integer> classifications) {
  public PredictCall {
    signatureName = signatureName == null ? "" : signatureName;
    outputFilter = List.copyOf(outputFilter);
    classifications = Map.copyOf(classifications);
  }

  /** A call without classifications. */
  public PredictCall(ModelRef model, String signatureName, PredictInputs inputs, List<String> outputFilter,
      CallDeadline deadline, Origin origin) {
    this(model, signatureName, inputs, outputFilter, deadline, origin, Map.of());
  }
}
