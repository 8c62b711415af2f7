// A generic batching queue (TF Serving's BasicBatchScheduler queue, reduced): tasks of a given
// size join the open batch until it would exceed max_batch_size; a batch is ready when full or
// when its oldest task has waited batch_timeout_micros. At most max_enqueued_batches batches may
// wait; scheduling beyond that fails fast with UNAVAILABLE. Thread-safe. Knows nothing of
// TensorFlow: the Task type only needs `size()`.
//
// The limits may change while tasks wait (adaptive batching, reloaded parameters): a batch is
// ready once its rows reach the current close size (<= max_batch_size) or its oldest task has
// waited the current timeout; tasks already queued stay where they are.
#ifndef TESSERA_BATCH_QUEUE_H_
#define TESSERA_BATCH_QUEUE_H_

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "tessera/status.h"

namespace tessera {

struct BatchQueueOptions {
  int64_t max_batch_size = 1000;
  int64_t batch_timeout_micros = 0;
  int64_t max_enqueued_batches = 10;
};

template <typename Task>
class BatchQueue {
 public:
  using Clock = std::chrono::steady_clock;

  explicit BatchQueue(BatchQueueOptions options)
      : options_(options), close_size_(options.max_batch_size) {}

  // Adds a task (not owned); the caller keeps it alive until its batch was processed.
  Status Schedule(Task* task) {
    const int64_t size = task->size();
    std::lock_guard<std::mutex> lock(mu_);
    if (size > options_.max_batch_size) {
      return Status(kInvalidArgument, "Task size " + std::to_string(size) +
                                          " is larger than maximum input batch size " +
                                          std::to_string(options_.max_batch_size));
    }
    if (batches_.empty() || batches_.back().size + size > close_size_) {
      if (static_cast<int64_t>(batches_.size()) >= options_.max_enqueued_batches) {
        return Status(kUnavailable,
                      "The batch scheduling queue to which this task was submitted is full");
      }
      batches_.push_back(Batch{{}, 0, Clock::now()});
    }
    batches_.back().tasks.push_back(task);
    batches_.back().size += size;
    return Status::Ok();
  }

  // Removes and returns the oldest batch if it is ready (full, timed out, or `force`); else empty.
  std::vector<Task*> TakeReady(bool force) {
    std::lock_guard<std::mutex> lock(mu_);
    if (batches_.empty()) return {};
    Batch& oldest = batches_.front();
    const bool full = oldest.size >= close_size_ || batches_.size() > 1;
    const bool expired = Clock::now() - oldest.opened >=
                         std::chrono::microseconds(options_.batch_timeout_micros);
    if (!force && !full && !expired) return {};
    std::vector<Task*> tasks = std::move(oldest.tasks);
    batches_.pop_front();
    return tasks;
  }

  // When the oldest batch times out (Clock::time_point::max() if the queue is empty).
  Clock::time_point NextDeadline() {
    std::lock_guard<std::mutex> lock(mu_);
    if (batches_.empty()) return Clock::time_point::max();
    return batches_.front().opened + std::chrono::microseconds(options_.batch_timeout_micros);
  }

  // Tasks waiting in all batches.
  int64_t PendingTasks() {
    std::lock_guard<std::mutex> lock(mu_);
    int64_t n = 0;
    for (const Batch& b : batches_) n += static_cast<int64_t>(b.tasks.size());
    return n;
  }

  // Reloaded parameters: the limits of every later decision (the close size resets to the maximum).
  void SetOptions(const BatchQueueOptions& options) {
    std::lock_guard<std::mutex> lock(mu_);
    options_ = options;
    close_size_ = options.max_batch_size;
  }

  // Adaptive batching: batches close at `close_size` rows (clamped to [1, max_batch_size]) and
  // time out after `timeout_micros`.
  void SetLimits(int64_t close_size, int64_t timeout_micros) {
    std::lock_guard<std::mutex> lock(mu_);
    close_size_ = std::max<int64_t>(1, std::min(close_size, options_.max_batch_size));
    options_.batch_timeout_micros = std::max<int64_t>(0, timeout_micros);
  }

  BatchQueueOptions options() {
    std::lock_guard<std::mutex> lock(mu_);
    return options_;
  }
  int64_t close_size() {
    std::lock_guard<std::mutex> lock(mu_);
    return close_size_;
  }

 private:
  struct Batch {
    std::vector<Task*> tasks;
    int64_t size;
    Clock::time_point opened;
  };
  std::mutex mu_;
  BatchQueueOptions options_;
  int64_t close_size_;
  std::deque<Batch> batches_;
};

}  // namespace tessera

#endif  // TESSERA_BATCH_QUEUE_H_
