package io.tessera.servables;

import io.tessera.proto.tf.SignatureDef;
import java.util.Collections;
import java.util.Map;

/** A SignatureDef with its tensors resolved against the loaded session. Immutable. */
public record Signature(String key, SignatureDef def, Map<String, TensorSpec> inputs,
    Map<String, TensorSpec> outputs) {
  public static final String DEFAULT_KEY = "serving_default";

  public Signature {
    inputs = Collections.unmodifiableMap(inputs);
    outputs = Collections.unmodifiableMap(outputs);
  }

  public String methodName() {
    return def.getMethodName();
  }
}
