// JNI-facing facade (tessera/api.h): batch threads and batching sessions.
#include <cstdint>

#include "api_guard.h"
#include "tessera/abi.h"
#include "tessera/api.h"
#include "tessera/batch_threads.h"
#include "tessera/batching_session.h"
#include "tessera/run_call.h"

using tessera::Status;

namespace tessera_api {
namespace {

tessera::BatchingOptions BatchingOptionsOf(const int64_t* settings, const int64_t* allowed, int num_allowed) {
  tessera::BatchingOptions options;
  options.queue.max_batch_size = settings[tessera_abi::kSettingMaxBatchSize];
  options.queue.batch_timeout_micros = settings[tessera_abi::kSettingBatchTimeoutMicros];
  options.queue.max_enqueued_batches = settings[tessera_abi::kSettingMaxEnqueuedBatches];
  options.split_large_requests = settings[tessera_abi::kSettingSplitLargeRequests] != 0;
  options.max_execution_batch_size = settings[tessera_abi::kSettingMaxExecutionBatchSize];
  options.pad_variable_length_inputs = settings[tessera_abi::kSettingPadVariableLengthInputs] != 0;
  options.target_p99_latency_micros = settings[tessera_abi::kSettingTargetP99LatencyMicros];
  for (int i = 0; i < num_allowed; ++i) options.allowed_batch_sizes.push_back(allowed[i]);
  return options;
}

}  // namespace

tessera::BatchThreadsRef* batch_threads_create(int num_threads) {
  tessera::BatchThreadsRef* result = nullptr;
  Guarded([&] {
    result = new tessera::BatchThreadsRef{std::make_shared<tessera::BatchThreads>(num_threads)};
    return 0;
  });
  return result;
}

void batch_threads_free(tessera::BatchThreadsRef* threads) {
  GuardedVoid([&] { delete threads; });
}

tessera::BatchingSession* batching_session_create(tessera::SavedModelSession* session,
                                                  tessera::BatchThreadsRef* threads, const int64_t* settings,
                                                  const int64_t* allowed_batch_sizes, int num_allowed) {
  tessera::BatchingSession* result = nullptr;
  Guarded([&] {
    result = new tessera::BatchingSession(session, BatchingOptionsOf(settings, allowed_batch_sizes, num_allowed),
                                          threads == nullptr ? nullptr : threads->threads);
    return 0;
  });
  return result;
}

int batching_session_update(tessera::BatchingSession* batching, const int64_t* settings,
                            const int64_t* allowed_batch_sizes, int num_allowed) {
  return Guarded([&] {
    batching->UpdateOptions(BatchingOptionsOf(settings, allowed_batch_sizes, num_allowed));
    return 0;
  });
}

void batching_session_free(tessera::BatchingSession* batching) {
  GuardedVoid([&] { delete batching; });
}

int64_t batching_session_pending(tessera::BatchingSession* batching) {
  return GuardedOr<int64_t>(-1, [&] { return batching->PendingTasks(); });
}

int batching_session_process_one(tessera::BatchingSession* batching, bool force) {
  int processed = 0;
  Guarded([&] {
    processed = batching->ProcessOneBatch(force);
    return 0;
  });
  return processed;
}

int batching_session_run(tessera::BatchingSession* batching, tessera::RunCall* call,
                         int64_t timeout_ms) {
  return Guarded([&] {
    Status status = call->RunStaged([&] { return batching->Run(call, timeout_ms); });
    return status.ok() ? 0 : Fail(status);
  });
}

int64_t batching_session_stat(tessera::BatchingSession* batching, int which) {
  return GuardedOr<int64_t>(-1, [&]() -> int64_t {
    const tessera::BatchingStats& s = batching->stats();
    switch (which) {
      case tessera_abi::kStatBatches: return s.batches.load();
      case tessera_abi::kStatTasks: return s.tasks.load();
      case tessera_abi::kStatRows: return s.rows.load();
      case tessera_abi::kStatPaddingRows: return s.padding_rows.load();
      case tessera_abi::kStatMarkedChanges: return s.marked_changes.load();
      default:
        break;
    }
    const tessera::BatchingState state = batching->state();
    switch (which) {
      case tessera_abi::kStatTimeoutMicros: return state.timeout_micros;
      case tessera_abi::kStatBatchSizeLimit: return state.batch_size_limit;
      case tessera_abi::kStatAdaptive: return state.adaptive ? 1 : 0;
      case tessera_abi::kStatTargetReachable: return state.target_reachable ? 1 : 0;
      case tessera_abi::kStatArrivalMilliRowsPerSec: return static_cast<int64_t>(state.arrival_rows_per_sec * 1000);
      case tessera_abi::kStatFillPermille: return static_cast<int64_t>(state.fill_ratio * 1000);
      default:
        Fail(tessera::kInvalidArgument, "unknown batching stat");
        return -1;
    }
  });
}

}  // namespace tessera_api
