package io.tessera.tensor.json;

import io.tessera.tensor.DataType;
import java.util.Map;

/** Resolves a signature's inputs for {@link PredictJsonReader}. */
@FunctionalInterface
public interface SignatureInputs {
  /**
   * Input alias to dtype, in the signature's input order. A null dtype marks an input whose dtype
   * Tessera cannot convert from JSON (a value for it fails with UNIMPLEMENTED).
   *
   * @param signatureName the body's {@code signature_name}, or "serving_default" when it has none
   * @throws io.tessera.status.ServingException if the signature does not exist (passed through as is)
   */
  Map<String, DataType> inputsOf(String signatureName);
}
