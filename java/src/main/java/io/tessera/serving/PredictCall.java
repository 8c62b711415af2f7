package io.tessera.serving;

import java.util.List;

/**
 * One Predict, from any front end.
 *
 * @param signatureName "" = serving_default (or, for encoded images, the image config's
 *     signature); a {@link PredictInputs.Deferred} may name another once decoded
 * @param outputFilter aliases to fetch; empty = all
 */
public record PredictCall(ModelRef model, String signatureName, PredictInputs inputs,
    List<String> outputFilter, CallDeadline deadline, Origin origin) {
  public PredictCall {
    signatureName = signatureName == null ? "" : signatureName;
    outputFilter = List.copyOf(outputFilter);
  }
}
