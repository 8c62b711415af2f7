package io.tessera.nativebridge;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;

/**
 * One {@code TF_SessionRun}: feeds, fetches, and ownership of TensorFlow's output tensors.
 *
 * <p>Confined to one thread. Inputs borrow {@link HostBuffer}s without copying (the native side
 * takes its own reference). Output views returned by {@link #outputData} point into TensorFlow's
 * memory and are valid only until {@link #close()}.
 */
public final class RunCall extends NativeHandle<TesseraNative.NativeRunCall> {
  RunCall(TesseraNative.NativeRunCall pointer) {
    super(pointer, TesseraNative::run_call_free);
  }

  public void addInput(int endpoint, int dtype, long[] shape, HostBuffer buffer, long offset, long bytes) {
    NativeErrors.check(
        TesseraNative.run_call_add_input(
            pointer(), endpoint, dtype, shape, shape.length, buffer.nativeBuffer(), offset, bytes));
  }

  /** Feeds a DT_STRING tensor; {@code blob} must be a direct buffer holding the elements back to back. */
  public void addStringInput(int endpoint, long[] shape, ByteBuffer blob, long[] lengths) {
    if (!blob.isDirect()) {
      throw new IllegalArgumentException("string blob must be a direct buffer");
    }
    NativeErrors.check(
        TesseraNative.run_call_add_string_input(
            pointer(), endpoint, shape, shape.length, blob, lengths, lengths.length));
  }

  public void addOutput(int endpoint) {
    NativeErrors.check(TesseraNative.run_call_add_output(pointer(), endpoint));
  }

  /**
   * Runs the graph.
   *
   * @param callerThread run on this thread (no inter-op pool hand-off); best for small requests
   * @param timeoutMs TensorFlow deadline, or 0 for none
   */
  public void run(boolean callerThread, long timeoutMs) {
    NativeErrors.check(TesseraNative.run_call_run(pointer(), callerThread, timeoutMs));
  }

  /** Runs this call as part of a batch (blocks until its batch ran); outputs are read as after run(). */
  public void runIn(BatchingSession batching) {
    NativeErrors.check(TesseraNative.batching_session_run(batching.pointer(), pointer()));
  }

  /** The batch a batched call ran in; null after a direct run. */
  public record BatchInfo(long rows, long paddedRows, boolean firstInBatch, long queuedNanos) {}

  public BatchInfo batchInfo() {
    long rows = TesseraNative.run_call_batch_info(pointer(), 0);
    if (rows == 0) {
      return null;
    }
    return new BatchInfo(rows, TesseraNative.run_call_batch_info(pointer(), 1),
        TesseraNative.run_call_batch_info(pointer(), 2) != 0, TesseraNative.run_call_batch_info(pointer(), 3));
  }

  public int outputDtype(int index) {
    return TesseraNative.run_call_output_dtype(pointer(), index);
  }

  public long[] outputShape(int index) {
    int rank = TesseraNative.run_call_output_num_dims(pointer(), index);
    long[] shape = new long[Math.max(rank, 0)];
    for (int d = 0; d < shape.length; d++) {
      shape[d] = TesseraNative.run_call_output_dim(pointer(), index, d);
    }
    return shape;
  }

  /** Little-endian read-only view of a dense output, in TensorFlow's memory (no copy). */
  public ByteBuffer outputData(int index) {
    long bytes = TesseraNative.run_call_output_bytes(pointer(), index);
    if (bytes <= 0) {
      return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
    }
    Pointer data = TesseraNative.run_call_output_data(pointer(), index);
    return new BytePointer(data).capacity(bytes).asByteBuffer()
        .asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Copies element {@code element} of a DT_STRING output. */
  public byte[] outputString(int index, long element) {
    long size = TesseraNative.run_call_output_string_size(pointer(), index, element);
    if (size < 0) {
      throw new IndexOutOfBoundsException("no string element " + element + " in output " + index);
    }
    byte[] out = new byte[Math.toIntExact(size)];
    if (size > 0) {
      new BytePointer(TesseraNative.run_call_output_string_data(pointer(), index, element))
          .capacity(size).get(out);
    }
    return out;
  }
}
