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

// Batch info fields (in the feed block at kFeedBatchInfoSlot): the batch a call ran in.
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

// Feed block (int64 slots; RunCall::TakeStagedFeeds): the Java owner stages a call's dense feeds
// and fetches here and run_call_run / batching_session_run take them in the same crossing.
// Slot kFeedHeldSlot is written natively: 1 while the call holds tensors or feeds (then
// run_call_reset must free them), 0 when a reset would only clear state. The owner sets
// kFeedResetSlot to 1 instead of calling run_call_reset in that case; the next crossing resets.
// Staged inputs start at kFeedFirstSlot, each kFeedInputFixedSlots slots plus one per dimension
// (fields at the offsets below; buffer is a HostBuffer* that must stay open until the run
// returns), followed by kFeedOutputCountSlot output endpoints, one slot each.
constexpr int64_t kFeedSlots = 256;
constexpr int64_t kFeedHeldSlot = 0;
constexpr int64_t kFeedResetSlot = 1;
constexpr int64_t kFeedInputCountSlot = 2;
constexpr int64_t kFeedOutputCountSlot = 3;
// Written natively after each run (RunCall::PublishHeld): the kBatchInfo* fields of the batch the
// call ran in, at kFeedBatchInfoSlot + kBatchInfoX (all 0 after a direct run).
constexpr int64_t kFeedBatchInfoSlot = 4;
constexpr int64_t kFeedFirstSlot = 10;
constexpr int64_t kFeedEndpoint = 0;
constexpr int64_t kFeedDtype = 1;
constexpr int64_t kFeedBuffer = 2;
constexpr int64_t kFeedOffset = 3;
constexpr int64_t kFeedBytes = 4;
constexpr int64_t kFeedNumDims = 5;
constexpr int64_t kFeedDims = 6;
constexpr int64_t kFeedInputFixedSlots = 6;

}  // namespace tessera_abi

#endif  // TESSERA_ABI_H_
