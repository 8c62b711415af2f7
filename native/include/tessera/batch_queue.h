// A generic batching queue (TF Serving's BasicBatchScheduler queue, reduced): tasks of a given
// size join the open batch until it would exceed max_batch_size; a batch is ready when full or
// when its oldest task has waited batch_timeout_micros. At most max_enqueued_batches batches may
// wait; scheduling beyond that fails fast with UNAVAILABLE. Thread-safe. Knows nothing of
// TensorFlow: the Task type only needs `size()`.
#ifndef TESSERA_BATCH_QUEUE_H_
#define TESSERA_BATCH_QUEUE_H_

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

  explicit BatchQueue(BatchQueueOptions options) : options_(options) {}

  // Adds a task (not owned); the caller keeps it alive until its batch was processed.
  Status Schedule(Task* task) {
    const int64_t size = task->size();
    if (size > options_.max_batch_size) {
      return Status(kInvalidArgument, "Task size " + std::to_string(size) +
                                          " is larger than maximum input batch size " +
                                          std::to_string(options_.max_batch_size));
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (batches_.empty() || batches_.back().size + size > options_.max_batch_size) {
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
    const bool full = oldest.size >= options_.max_batch_size || batches_.size() > 1;
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

  const BatchQueueOptions& options() const { return options_; }

 private:
  struct Batch {
    std::vector<Task*> tasks;
    int64_t size;
    Clock::time_point opened;
  };
  const BatchQueueOptions options_;
  std::mutex mu_;
  std::deque<Batch> batches_;
};

}  // namespace tessera

#endif  // TESSERA_BATCH_QUEUE_H_
