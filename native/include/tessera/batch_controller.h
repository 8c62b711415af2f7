// Applies the adaptive batching policy (batch_policy.h) to one batching session: measures what
// the policy needs (arrival rate, queue waits, run time per batch size over a sliding window) and
// re-decides at most every decide_every_micros. Times are passed in (microseconds on any
// monotonic clock), so tests step it by hand; the session passes steady_clock time. Thread-safe.
#ifndef TESSERA_BATCH_CONTROLLER_H_
#define TESSERA_BATCH_CONTROLLER_H_

#include <chrono>
#include <cstdint>
#include <mutex>
#include <vector>

#include "tessera/batch_policy.h"

namespace tessera {

// Microseconds on steady_clock, the time base the batching session feeds its controller.
inline int64_t SteadyMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct BatchControllerOptions {
  LatencyObjective objective;
  int num_threads = 1;
  int64_t decide_every_micros = 20'000;
  // Arrival-rate memory: an exponentially decaying count with this time constant.
  double rate_time_constant_micros = 250'000;
  size_t run_time_window = 64;  // batches
  size_t wait_window = 256;     // tasks
  // The reach count (batch_policy.h) is the most rows in flight over the last one to two of these.
  int64_t reach_window_micros = 1'000'000;
};

class BatchController {
 public:
  explicit BatchController(BatchControllerOptions options);

  // `rows` arrived; `rows_in_flight`: the session's rows queued or running, these included.
  void OnArrival(int64_t now_micros, int64_t rows, int64_t rows_in_flight);
  // One batch ran: `rows` executed (padding included) in `run_micros`; each task's queue wait.
  void OnBatch(int64_t now_micros, int64_t rows, int64_t tasks_rows, double run_micros,
               const std::vector<int64_t>& waits_micros);
  // The decision in force at now_micros, re-decided when the last one is older than
  // decide_every_micros. *logworthy (if given) is set when this call changed it markedly.
  BatchDecision Decide(int64_t now_micros, bool* logworthy = nullptr);
  // A new objective (reloaded parameters): takes effect at the next Decide.
  void SetObjective(const LatencyObjective& objective, int num_threads);

  struct Snapshot {
    BatchDecision decision;
    double arrival_rows_per_sec = 0;
    double queue_wait_p99_micros = 0;
    double fill_ratio = 0;  // recent batches' rows / the batch size limit they ran under
    int64_t max_rows_in_flight = 0;
    RunTimeFit run_time;
  };
  Snapshot snapshot(int64_t now_micros);

 private:
  double RateLocked(int64_t now_micros) const;
  double WaitP99Locked() const;
  int64_t ReachLocked(int64_t now_micros);

  std::mutex mu_;
  BatchControllerOptions options_;
  RunTimeWindow run_times_;
  std::vector<int64_t> waits_;  // ring buffer of the last wait_window queue waits
  size_t next_wait_ = 0;
  double decayed_rows_ = 0;
  int64_t first_arrival_ = -1;
  int64_t last_arrival_ = 0;
  double fill_ratio_ = 0;
  // Peak rows in flight in the current reach window (started at reach_since_) and the one before.
  int64_t reach_now_ = 0;
  int64_t reach_before_ = 0;
  int64_t reach_since_ = 0;
  BatchDecision decision_;
  int64_t decided_at_ = 0;
  bool decided_ = false;
};

}  // namespace tessera

#endif  // TESSERA_BATCH_CONTROLLER_H_
