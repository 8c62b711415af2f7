// Server-side batching of TF_SessionRun calls for one loaded SavedModel (TF Serving's
// BatchingSession): concurrent RunCalls with the same feeds/fetches and non-batch dimensions are
// merged along dimension 0 into one run, padded to the next allowed batch size if configured,
// and each call gets its own slice of every output. Calls that cannot be batched (string or
// scalar inputs, inputs with different first dimensions) run directly.
//
// Deadlines: a call's timeout counts from Run(). A task whose deadline passed before its batch
// ran is finished DEADLINE_EXCEEDED without running; the batched run gets the earliest deadline
// of the tasks it holds as its RunOptions timeout_in_ms.
//
// Adaptive batching: with target_p99_latency_micros > 0 a BatchController (batch_controller.h)
// measures this session's queues and sets their batch size limit and timeout (within
// max_batch_size / allowed_batch_sizes); batch_timeout_micros is then not used.
//
// Reloading: UpdateOptions() replaces the options while calls run; calls already queued keep
// their place, later decisions (queue limits, padding, splitting, new queues) use the new ones.
//
// Threading: Run() may be called from any number of threads; it blocks its caller until the
// batch containing its call has run. Ready batches run on the process's shared BatchThreads (or
// on the caller, when its own batch is ready and a slot is free). A call that would be a batch
// of its own and run at once (its queue is empty, batches do not wait, no padding, a slot free)
// runs as an unbatched call does, on the caller and without merging or slicing; it still counts
// as a batch of its rows (stats, batch info, the adaptive controller). The SavedModelSession must
// outlive this object; destruction waits for batches in flight and fails queued calls with
// UNAVAILABLE.
#ifndef TESSERA_BATCHING_SESSION_H_
#define TESSERA_BATCHING_SESSION_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "tessera/batch_controller.h"
#include "tessera/batch_queue.h"
#include "tessera/batch_threads.h"
#include "tessera/run_call.h"
#include "tessera/saved_model_session.h"
#include "tessera/status.h"
#include "tessera/tf_owners.h"

namespace tessera {

struct BatchingOptions {
  BatchQueueOptions queue;
  std::vector<int64_t> allowed_batch_sizes;  // increasing; last == max_batch_size; empty = any
  // enable_large_batch_splitting: a request larger than max_batch_size is cut into chunks of at
  // most max_execution_batch_size rows, each batched on its own; outputs are joined back.
  bool split_large_requests = false;
  int64_t max_execution_batch_size = 0;  // 0 = max_batch_size
  // pad_variable_length_inputs: requests whose non-batch dimensions differ share a batch; each
  // input is zero-padded to the largest size in the batch (outputs keep the padded shape).
  bool pad_variable_length_inputs = false;
  // Tessera: the p99 latency objective of adaptive batching, in microseconds; 0 = static batching.
  int64_t target_p99_latency_micros = 0;
};

// Counters for metrics: tasks and rows batched, padding rows added, batches run.
struct BatchingStats {
  std::atomic<int64_t> batches{0};
  std::atomic<int64_t> tasks{0};
  std::atomic<int64_t> rows{0};
  std::atomic<int64_t> padding_rows{0};
  std::atomic<int64_t> marked_changes{0};  // adaptive decisions that changed markedly
};

// What a session's queues run under now, and (adaptive batching) what it measured.
struct BatchingState {
  int64_t timeout_micros = 0;
  int64_t batch_size_limit = 0;
  bool adaptive = false;
  bool target_reachable = true;
  double arrival_rows_per_sec = 0;
  double fill_ratio = 0;
};

class BatchingSession : public BatchSource {
 public:
  // `threads` null: tests only ("puppet" mode): no batch threads and no caller-run batches;
  // batches run only when the test calls ProcessOneBatch(), so batch composition is deterministic.
  BatchingSession(SavedModelSession* session, BatchingOptions options, std::shared_ptr<BatchThreads> threads);
  ~BatchingSession() override;

  BatchingSession(const BatchingSession&) = delete;
  BatchingSession& operator=(const BatchingSession&) = delete;

  // Runs `call` (inputs and outputs already added) inside a batch and leaves its outputs in it.
  // timeout_ms <= 0: no deadline.
  Status Run(RunCall* call, int64_t timeout_ms = 0);

  const BatchingStats& stats() const { return stats_; }
  BatchingState state();

  // Reloaded parameters (see the header comment). num_batch_threads cannot change: the threads
  // are shared by the process.
  void UpdateOptions(BatchingOptions options);

  // Puppet mode: tasks currently queued, and running the oldest batch of the first non-empty queue
  // (force: even if not full/timed out). Returns the number of tasks processed.
  int64_t PendingTasks();
  int ProcessOneBatch(bool force);

  std::function<void()> TakeReadyBatch(Clock::time_point* deadline) override;

 private:
  struct Task {
    RunCall* call;
    int64_t rows;
    BatchQueue<Task>* queue = nullptr;  // set by Enqueue
    std::chrono::steady_clock::time_point enqueued = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
    Status status;
    bool done = false;
    std::mutex mu;
    std::condition_variable cv;
    int64_t size() const { return rows; }
  };

  // Queues are keyed by request shape, which clients choose; beyond this many, requests of a new
  // shape run unbatched instead of growing the table without bound.
  static constexpr size_t kMaxQueues = 256;
  bool HasQueueFor(const std::string& key);

  // Returns the queue key (feeds, fetches, dtypes, non-batch dims) or "" if not batchable.
  static std::string KeyOf(RunCall* call, const BatchingOptions& options, int64_t* rows);
  Status Enqueue(Task* task, const std::string& key);
  // Runs `call` alone on this thread if it would be a batch of its own that runs at once; false
  // (nothing done) otherwise.
  bool RunAlone(RunCall* call, const std::string& key, int64_t rows, int64_t timeout_ms, Status* status);
  // Waits for the task's batch to run (running it on this thread if it is ready and a slot is free).
  Status Await(Task* task);
  Status RunSplit(RunCall* call, const BatchingOptions& options, const std::string& key, int64_t rows,
                  std::chrono::steady_clock::time_point deadline);
  // Runs one batch taken from a queue and finishes every one of its tasks, on every path.
  void Process(const std::vector<Task*>& batch);
  // The steps of Process: expired tasks out, inputs merged, one TF_SessionRun, outputs checked
  // and sliced back into the tasks (each task is finished as soon as its outputs are set).
  class Finisher;
  struct BatchSizing {
    int64_t total = 0;   // rows of the live tasks
    int64_t padded = 0;  // rows run (next allowed size)
    int64_t limit = 0;   // the queue's batch size limit when it ran
  };
  Status RunMerged(const std::vector<Task*>& live, const BatchSizing& sizing, int64_t timeout_ms,
                   Finisher* finisher);
  Status MergeInputs(const std::vector<Task*>& live, int64_t padded, std::vector<TensorPtr>* merged);
  Status RunBatch(RunCall* first, const std::vector<TensorPtr>& merged, int64_t timeout_ms,
                  std::vector<TensorPtr>* outputs);
  static Status CheckOutputs(const std::vector<TensorPtr>& outputs, int64_t padded);
  static int64_t PaddedSize(const BatchingOptions& options, int64_t rows);
  std::shared_ptr<const BatchingOptions> options();
  // Adaptive batching: counts the arrival and applies the controller's decision to the queues.
  void AdaptLocked(int64_t rows);
  static void Finish(Task* task, Status status);

  SavedModelSession* const session_;
  BatchingStats stats_;
  const std::shared_ptr<BatchThreads> threads_;  // null in puppet mode
  std::atomic<int64_t> in_flight_rows_{0};  // rows of calls inside Run (queued or running)
  std::mutex mu_;  // guards the members below; never held while calling threads_
  std::shared_ptr<const BatchingOptions> options_;
  std::shared_ptr<BatchController> controller_;  // null unless target_p99_latency_micros > 0
  BatchDecision applied_;  // the controller's decision the queues run under
  bool stop_ = false;
  std::map<std::string, std::unique_ptr<BatchQueue<Task>>> queues_;
  size_t next_queue_ = 0;  // round-robin start over queues_ in TakeReadyBatch
};

}  // namespace tessera

#endif  // TESSERA_BATCHING_SESSION_H_
