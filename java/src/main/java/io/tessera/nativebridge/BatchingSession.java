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
  /**
   * Native settings; see io.tessera.servables.batching.BatchingOptions for defaults and checks.
   * targetP99LatencyMicros > 0: adaptive batching (the native scheduler chooses the timeout and
   * batch size limit for that p99 objective; batchTimeoutMicros is then unused).
   */
  public record Settings(long maxBatchSize, long batchTimeoutMicros, long maxEnqueuedBatches,
      int numBatchThreads, long[] allowedBatchSizes, boolean splitLargeRequests, long maxExecutionBatchSize,
      boolean padVariableLengthInputs, long targetP99LatencyMicros) {
    /** Static batching. */
    public Settings(long maxBatchSize, long batchTimeoutMicros, long maxEnqueuedBatches, int numBatchThreads,
        long[] allowedBatchSizes, boolean splitLargeRequests, long maxExecutionBatchSize,
        boolean padVariableLengthInputs) {
      this(maxBatchSize, batchTimeoutMicros, maxEnqueuedBatches, numBatchThreads, allowedBatchSizes,
          splitLargeRequests, maxExecutionBatchSize, padVariableLengthInputs, 0);
    }

    /** Static batching without large-request splitting or variable-length padding. */
    public Settings(long maxBatchSize, long batchTimeoutMicros, long maxEnqueuedBatches, int numBatchThreads,
        long[] allowedBatchSizes) {
      this(maxBatchSize, batchTimeoutMicros, maxEnqueuedBatches, numBatchThreads, allowedBatchSizes, false, 0, false);
    }

    long[] toNative() {
      long[] slots = new long[NativeAbi.SETTING_COUNT];
      slots[NativeAbi.SETTING_MAX_BATCH_SIZE] = maxBatchSize;
      slots[NativeAbi.SETTING_BATCH_TIMEOUT_MICROS] = batchTimeoutMicros;
      slots[NativeAbi.SETTING_MAX_ENQUEUED_BATCHES] = maxEnqueuedBatches;
      slots[NativeAbi.SETTING_SPLIT_LARGE_REQUESTS] = splitLargeRequests ? 1 : 0;
      slots[NativeAbi.SETTING_MAX_EXECUTION_BATCH_SIZE] = maxExecutionBatchSize;
      slots[NativeAbi.SETTING_PAD_VARIABLE_LENGTH_INPUTS] = padVariableLengthInputs ? 1 : 0;
      slots[NativeAbi.SETTING_TARGET_P99_LATENCY_MICROS] = targetP99LatencyMicros;
      return slots;
    }
  }

  private BatchingSession(TesseraNative.NativeBatchingSession pointer) {
    super(pointer, TesseraNative::batching_session_free);
  }

  /** Waits for an update() or limits() in progress: they hold this monitor while they use the pointer. */
  @Override
  protected synchronized void beforeFree() {}

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
        session.pointer(), threads, s.toNative(), s.allowedBatchSizes(), s.allowedBatchSizes().length)));
  }

  /**
   * Reloaded parameters, applied while calls run: queued calls keep their place, later batches use
   * {@code s} ({@code s.numBatchThreads()} is not used: the threads are shared). False (nothing
   * done) once closed: safe to call while another thread closes the session.
   */
  public synchronized boolean update(Settings s) {
    TesseraNative.NativeBatchingSession p = livePointer();
    if (p == null) {
      return false;
    }
    NativeErrors.check(TesseraNative.batching_session_update(p, s.toNative(), s.allowedBatchSizes(),
        s.allowedBatchSizes().length));
    return true;
  }

  /** The pointer, or null once closed; under this monitor it stays valid (see beforeFree). */
  private TesseraNative.NativeBatchingSession livePointer() {
    try {
      return pointer();
    } catch (IllegalStateException closed) {
      return null;
    }
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

  /**
   * What the queues run under now: the timeout and batch size limit (adaptive batching's latest
   * decision, else the configured ones), whether the latency target is reachable at this load,
   * the measured arrival rate (rows per second) and the recent batches' fill ratio (rows / limit),
   * and how many times the decision changed markedly so far. Null once closed (safe to call while
   * another thread closes the session, e.g. from a metrics scrape).
   */
  public record Limits(long timeoutMicros, long batchSizeLimit, boolean adaptive, boolean targetReachable,
      double arrivalRowsPerSecond, double fillRatio, long markedChanges) {}

  public synchronized Limits limits() {
    TesseraNative.NativeBatchingSession p = livePointer();
    if (p == null) {
      return null;
    }
    return new Limits(TesseraNative.batching_session_stat(p, NativeAbi.STAT_TIMEOUT_MICROS),
        TesseraNative.batching_session_stat(p, NativeAbi.STAT_BATCH_SIZE_LIMIT),
        TesseraNative.batching_session_stat(p, NativeAbi.STAT_ADAPTIVE) == 1,
        TesseraNative.batching_session_stat(p, NativeAbi.STAT_TARGET_REACHABLE) == 1,
        TesseraNative.batching_session_stat(p, NativeAbi.STAT_ARRIVAL_MILLI_ROWS_PER_SEC) / 1000.0,
        TesseraNative.batching_session_stat(p, NativeAbi.STAT_FILL_PERMILLE) / 1000.0,
        TesseraNative.batching_session_stat(p, NativeAbi.STAT_MARKED_CHANGES));
  }

  public Stats stats() {
    TesseraNative.NativeBatchingSession p = pointer();
    return new Stats(TesseraNative.batching_session_stat(p, NativeAbi.STAT_BATCHES),
        TesseraNative.batching_session_stat(p, NativeAbi.STAT_TASKS),
        TesseraNative.batching_session_stat(p, NativeAbi.STAT_ROWS),
        TesseraNative.batching_session_stat(p, NativeAbi.STAT_PADDING_ROWS));
  }
}
