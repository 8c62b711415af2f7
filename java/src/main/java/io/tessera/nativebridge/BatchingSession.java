package io.tessera.nativebridge;

/**
 * The native batching session of one loaded model version: concurrent {@link RunCall}s with the
 * same feeds, fetches and non-batch dimensions are merged along dimension 0 into one TensorFlow
 * run on the process's shared {@link BatchThreads}, then split back (see native batching_session.h).
 *
 * <p>Must be closed before its {@link SavedModelSession}; closing fails queued calls with
 * UNAVAILABLE. Thread-safe.
 */
public final class BatchingSession extends NativeHandle<TesseraNative.NativeBatchingSession> {
  /** Native settings; see io.tessera.servables.batching.BatchingOptions for defaults and checks. */
  public record Settings(long maxBatchSize, long batchTimeoutMicros, long maxEnqueuedBatches,
      int numBatchThreads, long[] allowedBatchSizes, boolean splitLargeRequests, long maxExecutionBatchSize,
      boolean padVariableLengthInputs) {
    /** Without large-request splitting or variable-length padding. */
    public Settings(long maxBatchSize, long batchTimeoutMicros, long maxEnqueuedBatches, int numBatchThreads,
        long[] allowedBatchSizes) {
      this(maxBatchSize, batchTimeoutMicros, maxEnqueuedBatches, numBatchThreads, allowedBatchSizes, false, 0, false);
    }
  }

  private BatchingSession(TesseraNative.NativeBatchingSession pointer) {
    super(pointer, TesseraNative::batching_session_free);
  }

  /**
   * A session whose ready batches run on {@code threads}, shared with the other sessions created
   * on them; {@code s.numBatchThreads()} is not used (it sizes the shared threads).
   */
  public static BatchingSession create(SavedModelSession session, Settings s, BatchThreads threads) {
    return create(session, s, threads.nativeThreads());
  }

  /** A session with batch threads of its own ({@code s.numBatchThreads()} of them). */
  public static BatchingSession create(SavedModelSession session, Settings s) {
    try (BatchThreads own = BatchThreads.start(s.numBatchThreads())) {
      return create(session, s, own); // the session keeps its own reference to the threads
    }
  }

  /**
   * Tests only: a "puppet" session with no batch threads; calls queue until the test runs a batch
   * with {@link #processOneBatch}, so batch composition is deterministic.
   */
  public static BatchingSession createManual(SavedModelSession session, Settings s) {
    return create(session, s, (TesseraNative.NativeBatchThreads) null);
  }

  private static BatchingSession create(SavedModelSession session, Settings s,
      TesseraNative.NativeBatchThreads threads) {
    return new BatchingSession(NativeErrors.checkNotNull(TesseraNative.batching_session_create(
        session.pointer(), threads, s.maxBatchSize(), s.batchTimeoutMicros(), s.maxEnqueuedBatches(),
        s.allowedBatchSizes(), s.allowedBatchSizes().length, s.splitLargeRequests(),
        s.maxExecutionBatchSize(), s.padVariableLengthInputs())));
  }

  /** Puppet mode: calls waiting in the queues. */
  public long pendingTasks() {
    return TesseraNative.batching_session_pending(pointer());
  }

  /** Puppet mode: runs the oldest ready batch (any batch with {@code force}); returns its call count. */
  public int processOneBatch(boolean force) {
    return TesseraNative.batching_session_process_one(pointer(), force);
  }

  /** Totals since creation: batches run, tasks (requests) batched, rows, padding rows. */
  public record Stats(long batches, long tasks, long rows, long paddingRows) {}

  public Stats stats() {
    TesseraNative.NativeBatchingSession p = pointer();
    return new Stats(TesseraNative.batching_session_stat(p, NativeAbi.STAT_BATCHES),
        TesseraNative.batching_session_stat(p, NativeAbi.STAT_TASKS),
        TesseraNative.batching_session_stat(p, NativeAbi.STAT_ROWS),
        TesseraNative.batching_session_stat(p, NativeAbi.STAT_PADDING_ROWS));
  }
}
