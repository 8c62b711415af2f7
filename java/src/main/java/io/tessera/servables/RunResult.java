package io.tessera.servables;

import io.tessera.nativebridge.RunCall;
import io.tessera.nativebridge.SavedModelSession;
import io.tessera.tensor.OutputTensor;
import java.util.List;

/**
 * The outputs of one run, viewed in TensorFlow's memory. The caller encodes them and then closes
 * the result, which frees the output tensors (and returns the run call to its session's pool);
 * views must not be used after that. Close is idempotent.
 */
public final class RunResult implements AutoCloseable {
  private final SavedModelSession session;
  private final RunCall call;
  private boolean closed;
  private final List<OutputTensor> outputs;
  private final long runNanos;

  RunResult(SavedModelSession session, RunCall call, List<OutputTensor> outputs, long runNanos) {
    this.session = session;
    this.call = call;
    this.outputs = outputs;  // immutable, built by SignatureRunner
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
    if (!closed) {
      closed = true;
      session.recycle(call);
    }
  }
}
