package io.tessera.nativebridge;

/**
 * The numbers shared with the native library: a mirror of {@code native/include/tessera/abi.h},
 * constant for constant ({@code kFooBar} there is {@code FOO_BAR} here). {@code NativeAbiTest}
 * parses the header and fails when the two differ, so change both together.
 */
final class NativeAbi {
  private NativeAbi() {}

  // batching_session_stat(which)
  static final int STAT_BATCHES = 0;
  static final int STAT_TASKS = 1;
  static final int STAT_ROWS = 2;
  static final int STAT_PADDING_ROWS = 3;
  static final int STAT_MARKED_CHANGES = 4;
  static final int STAT_TIMEOUT_MICROS = 5;
  static final int STAT_BATCH_SIZE_LIMIT = 6;
  static final int STAT_ADAPTIVE = 7;
  static final int STAT_TARGET_REACHABLE = 8;
  static final int STAT_ARRIVAL_MILLI_ROWS_PER_SEC = 9;
  static final int STAT_FILL_PERMILLE = 10;

  // batching_session_create / _update settings slots
  static final int SETTING_MAX_BATCH_SIZE = 0;
  static final int SETTING_BATCH_TIMEOUT_MICROS = 1;
  static final int SETTING_MAX_ENQUEUED_BATCHES = 2;
  static final int SETTING_SPLIT_LARGE_REQUESTS = 3;
  static final int SETTING_MAX_EXECUTION_BATCH_SIZE = 4;
  static final int SETTING_PAD_VARIABLE_LENGTH_INPUTS = 5;
  static final int SETTING_TARGET_P99_LATENCY_MICROS = 6;
  static final int SETTING_COUNT = 7;

  // batch info fields (feed block, from FEED_BATCH_INFO_SLOT)
  static final int BATCH_INFO_ROWS = 0;
  static final int BATCH_INFO_PADDED_ROWS = 1;
  static final int BATCH_INFO_FIRST_IN_BATCH = 2;
  static final int BATCH_INFO_QUEUED_NANOS = 3;
  static final int BATCH_INFO_RUN_NANOS = 4;
  static final int BATCH_INFO_SIZE_LIMIT = 5;

  // Output layout block: int64 slots (RunCall::WriteLayout).
  static final int LAYOUT_SLOTS = 512;
  static final int LAYOUT_COUNT_SLOT = 0;
  static final int LAYOUT_FIRST_OUTPUT_SLOT = 1;
  static final int LAYOUT_DTYPE = 0;
  static final int LAYOUT_NUM_DIMS = 1;
  static final int LAYOUT_BYTE_SIZE = 2;
  static final int LAYOUT_INLINE_OFFSET = 3;
  static final int LAYOUT_DATA_ADDRESS = 4;
  static final int LAYOUT_DIMS = 5;
  static final int LAYOUT_OUTPUT_FIXED_SLOTS = 5;
  static final int LAYOUT_INLINE_OUTPUT_BYTES = 256;

  // feed block (RunCall::TakeStagedFeeds)
  static final int FEED_SLOTS = 256;
  static final int FEED_HELD_SLOT = 0;
  static final int FEED_RESET_SLOT = 1;
  static final int FEED_INPUT_COUNT_SLOT = 2;
  static final int FEED_OUTPUT_COUNT_SLOT = 3;
  static final int FEED_BATCH_INFO_SLOT = 4;
  static final int FEED_FIRST_SLOT = 10;
  static final int FEED_ENDPOINT = 0;
  static final int FEED_DTYPE = 1;
  static final int FEED_BUFFER = 2;
  static final int FEED_OFFSET = 3;
  static final int FEED_BYTES = 4;
  static final int FEED_NUM_DIMS = 5;
  static final int FEED_DIMS = 6;
  static final int FEED_INPUT_FIXED_SLOTS = 6;
}
