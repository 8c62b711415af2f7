package io.tessera.servables;

import io.tessera.nativebridge.RunCall;
import io.tessera.tensor.OutputTensor;
import java.util.List;

/**
 * The outputs of one run, viewed in TensorFlow's memory. The caller encodes them and then closes
 * the result, which frees the output tensors; views must not be used after that.
 */
public final class RunResult implements AutoCloseable {
  private final RunCall call;
  private final List<OutputTensor> outputs;

  RunResult(RunCall call, List<OutputTensor> outputs) {
    this.call = call;
    this.outputs = List.copyOf(outputs);
  }

  /** Outputs in alias order. */
  public List<OutputTensor> outputs() {
    return outputs;
  }

  @Override
  public void close() {
    call.close();
  }
}
