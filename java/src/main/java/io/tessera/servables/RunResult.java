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
  private final long runNanos;

  RunResult(RunCall call, List<OutputTensor> outputs, long runNanos) {
    this.call = call;
    this.outputs = List.copyOf(outputs);
    this.runNanos = runNanos;
  }

  /** The batch this run was part of (batching on), or null. */
  public RunCall.BatchInfo batch() {
    return call.batchInfo();
  }

  /** Time spent inside TensorFlow's Session::Run (TF Serving's runtime_latency). */
  public long runNanos() {
    return runNanos;
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
