// Batch threads shared by every batching session of the process (the thread half of TF Serving's
// SharedBatchScheduler). Knows nothing of TensorFlow: a session registers itself as a BatchSource
// and the threads ask the sources, in turn, for ready batches.
//
// Concurrency bound: at most num_threads batches run at once in the whole process, whether on a
// batch thread or on a request thread that found its own batch ready (TryClaimSlot/ReleaseSlot).
//
// Ownership: shared (std::shared_ptr) by whoever creates sessions and by each session, so the
// threads outlive every source that uses them. Thread-safe.
#ifndef TESSERA_BATCH_THREADS_H_
#define TESSERA_BATCH_THREADS_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace tessera {

class BatchSource {
 public:
  using Clock = std::chrono::steady_clock;
  virtual ~BatchSource() = default;
  // Removes one ready batch from one of this source's queues and returns the job that processes
  // it; if none is ready, returns an empty job after lowering *deadline to the time the oldest
  // waiting batch times out. Called with the pool's lock held: quick, never calls the pool.
  virtual std::function<void()> TakeReadyBatch(Clock::time_point* deadline) = 0;
};

class BatchThreads {
 public:
  explicit BatchThreads(int num_threads);
  ~BatchThreads();  // stops and joins the threads; every source must have been removed

  BatchThreads(const BatchThreads&) = delete;
  BatchThreads& operator=(const BatchThreads&) = delete;

  void Add(BatchSource* source);
  // Forgets `source`; blocks until no thread is still processing one of its batches.
  void Remove(BatchSource* source);
  // A task was scheduled: wake a thread to look for ready batches (none is lost: see .cc).
  void Notify();

  // A request thread's claim on a processing slot (to run a batch itself); ReleaseSlot wakes a
  // batch thread waiting for a slot, if any, so queued batches never wait for a poll.
  bool TryClaimSlot();
  void ReleaseSlot();

  int num_threads() const { return num_threads_; }

 private:
  void Loop();
  void Unclaim() { processing_--; }  // a batch thread's release: it looks for work itself next

  struct Entry {
    BatchSource* source;
    int running;  // batches of this source being processed by pool threads
  };

  const int num_threads_;
  std::mutex mu_;
  std::condition_variable work_;     // new task, timeout, or stop
  std::condition_variable retired_;  // a pool thread finished a batch (Remove waits on it)
  std::condition_variable slot_free_;  // a request thread released a slot (see slot_waiters_)
  bool stop_ = false;
  std::vector<Entry> sources_;
  size_t next_ = 0;  // round-robin start, so one busy source cannot starve the others
  std::atomic<int> processing_{0};
  std::atomic<int> slot_waiters_{0};  // batch threads that found work announced but no free slot
  std::vector<std::thread> threads_;
};

// One owner's reference to shared BatchThreads, as a plain pointer can carry it across JNI.
struct BatchThreadsRef {
  std::shared_ptr<BatchThreads> threads;
};

}  // namespace tessera

#endif  // TESSERA_BATCH_THREADS_H_
