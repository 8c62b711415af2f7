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
  private final Runnable release;
  private boolean closed;
  private final List<OutputTensor> outputs;
  private final long runNanos;
  private final RunCall.BatchInfo batch;

  RunResult(SavedModelSession session, RunCall call, List<OutputTensor> outputs, long runNanos) {
    this(outputs, runNanos, call.batchInfo(), () -> session.recycle(call));
  }

  /**
   * A result whose outputs live elsewhere (tests' fake servables): {@code release} runs once, on
   * the first {@link #close}.
   *
   * @param batch the batch the run was part of, or null
   */
  public RunResult(List<OutputTensor> outputs, long runNanos, RunCall.BatchInfo batch, Runnable release) {
    this.outputs = List.copyOf(outputs);
    this.runNanos = runNanos;
    this.batch = batch;
    this.release = release;
  }

  /** The batch this run was part of (batching on), or null. */
  public RunCall.BatchInfo batch() {
    return batch;
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
      release.run();
    }
  }
}
