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

  // run_call_batch_info(which)
  static final int BATCH_INFO_ROWS = 0;
  static final int BATCH_INFO_PADDED_ROWS = 1;
  static final int BATCH_INFO_FIRST_IN_BATCH = 2;
  static final int BATCH_INFO_QUEUED_NANOS = 3;

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
}
