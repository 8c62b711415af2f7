package io.tessera.tensor.json;

import io.tessera.tensor.InputTensor;
import java.util.Collections;
import java.util.Map;

/** A parsed REST predict body: the signature to run and its input tensors (owned; close them). */
public final class PredictJsonRequest implements AutoCloseable {
  private final String signatureName;
  private final boolean rowFormat;
  private final Map<String, InputTensor> inputs;

  PredictJsonRequest(String signatureName, boolean rowFormat, Map<String, InputTensor> inputs) {
    this.signatureName = signatureName;
    this.rowFormat = rowFormat;
    this.inputs = Collections.unmodifiableMap(inputs);
  }

  /** The body's {@code signature_name}, or "serving_default". */
  public String signatureName() {
    return signatureName;
  }

  /** True for {@code instances} (reply with {@code predictions}), false for {@code inputs}. */
  public boolean rowFormat() {
    return rowFormat;
  }

  /** Input alias to tensor, in the signature's input order. */
  public Map<String, InputTensor> inputs() {
    return inputs;
  }

  @Override
  public void close() {
    for (InputTensor t : inputs.values()) {
      t.close();
    }
  }
}
