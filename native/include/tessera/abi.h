// Numbers shared across the JNI boundary: the `which` selectors of api.h and the slots of the
// RunCall output layout block. io.tessera.nativebridge.NativeAbi mirrors every constant here
// under its UPPER_SNAKE name (kFooBar -> FOO_BAR); NativeAbiTest parses this file and fails if
// the two differ, so keep one `constexpr int64_t kName = <integer>;` per line.
#ifndef TESSERA_ABI_H_
#define TESSERA_ABI_H_

#include <cstdint>

namespace tessera_abi {

// batching_session_stat(which): totals since the batching session was created.
constexpr int64_t kStatBatches = 0;
constexpr int64_t kStatTasks = 1;
constexpr int64_t kStatRows = 2;
constexpr int64_t kStatPaddingRows = 3;
constexpr int64_t kStatMarkedChanges = 4;
// batching_session_stat(which): what the queues run under now (adaptive batching: its decision).
constexpr int64_t kStatTimeoutMicros = 5;
constexpr int64_t kStatBatchSizeLimit = 6;
constexpr int64_t kStatAdaptive = 7;
constexpr int64_t kStatTargetReachable = 8;
constexpr int64_t kStatArrivalMilliRowsPerSec = 9;
constexpr int64_t kStatFillPermille = 10;

// batching_session_create / _update: slots of the settings array (kSettingCount of them).
constexpr int64_t kSettingMaxBatchSize = 0;
constexpr int64_t kSettingBatchTimeoutMicros = 1;
constexpr int64_t kSettingMaxEnqueuedBatches = 2;
constexpr int64_t kSettingSplitLargeRequests = 3;
constexpr int64_t kSettingMaxExecutionBatchSize = 4;
constexpr int64_t kSettingPadVariableLengthInputs = 5;
constexpr int64_t kSettingTargetP99LatencyMicros = 6;
constexpr int64_t kSettingCount = 7;

// run_call_batch_info(which): the batch a call ran in (all 0 after a direct run).
constexpr int64_t kBatchInfoRows = 0;
constexpr int64_t kBatchInfoPaddedRows = 1;
constexpr int64_t kBatchInfoFirstInBatch = 2;
constexpr int64_t kBatchInfoQueuedNanos = 3;
constexpr int64_t kBatchInfoRunNanos = 4;
constexpr int64_t kBatchInfoSizeLimit = 5;

// Output layout block (int64 slots; RunCall::WriteLayout). Slot 0 holds the number of outputs
// described, or -1 when their descriptions do not fit; descriptions follow from slot 1, each
// kLayoutOutputFixedSlots slots plus one per dimension, the fields at these offsets:
constexpr int64_t kLayoutSlots = 512;
constexpr int64_t kLayoutCountSlot = 0;
constexpr int64_t kLayoutFirstOutputSlot = 1;
constexpr int64_t kLayoutDtype = 0;
constexpr int64_t kLayoutNumDims = 1;
constexpr int64_t kLayoutByteSize = 2;
constexpr int64_t kLayoutInlineOffset = 3;  // byte offset in the block, -1 if read in place
constexpr int64_t kLayoutDataAddress = 4;
constexpr int64_t kLayoutDims = 5;
constexpr int64_t kLayoutOutputFixedSlots = 5;
// Dense outputs of at most this many bytes are copied into the block itself.
constexpr int64_t kLayoutInlineOutputBytes = 256;

}  // namespace tessera_abi

#endif  // TESSERA_ABI_H_
