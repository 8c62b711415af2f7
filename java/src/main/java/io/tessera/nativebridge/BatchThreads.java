package io.tessera.nativebridge;

/**
 * The batch threads shared by every {@link BatchingSession} of the process (TF Serving's
 * SharedBatchScheduler threads, sized by {@code num_batch_threads} of --batching_parameters_file).
 * At most that many batches run at once across all models.
 *
 * <p>Each session created on these threads holds its own native reference to them, so closing
 * this handle only gives up the owner's share: the threads stop once the last session using them
 * is closed. Thread-safe.
 */
public final class BatchThreads extends NativeHandle<TesseraNative.NativeBatchThreads> {
  private final int numThreads;

  private BatchThreads(TesseraNative.NativeBatchThreads pointer, int numThreads) {
    super(pointer, TesseraNative::batch_threads_free);
    this.numThreads = numThreads;
  }

  public static BatchThreads start(int numThreads) {
    if (numThreads <= 0) {
      throw new IllegalArgumentException("num_batch_threads must be positive, got " + numThreads);
    }
    return new BatchThreads(NativeErrors.checkNotNull(TesseraNative.batch_threads_create(numThreads)), numThreads);
  }

  public int numThreads() {
    return numThreads;
  }

  TesseraNative.NativeBatchThreads nativeThreads() {
    return pointer();
  }
}
