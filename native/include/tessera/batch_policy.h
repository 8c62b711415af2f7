// The adaptive batching policy (issue 21): from what a batching queue measures (arrival rate,
// queue wait, run time as a function of batch size) and a latency objective (a p99 target),
// choose how long a batch may wait and how large it may grow. Pure: no clock, no threads, no
// TensorFlow; BatchController feeds it measurements and applies its decisions.
//
// The model it plans with, for a batch of B rows (padded to an allowed size if any):
//   run(B) from the fit; capacity(B) = threads * B / run(B) rows per second;
//   latency ~= run(B) (the batch ahead of it on a thread) + run(B).
// Only B up to the reach count: the most rows that were in the session at once recently (queued
// plus running). Callers are bounded (a gRPC server serves --grpc_max_threads calls at once), so
// a batch never holds more rows than there are callers, and waiting for more only adds latency.
//
// Decision, from the arrival rate and that model:
//   - while some reachable size keeps up with the arrivals (with headroom), batches never wait:
//     a batch runs as soon as a thread is free and takes every row queued by then (static
//     batching with batch_timeout_micros 0). Rows that arrive while the threads are busy wait for
//     them anyway, so batches grow with the load by themselves; a timeout would only add its
//     wait, and at low load there is nothing to wait for;
//   - overload (no reachable size keeps up): the most productive size (the smallest whose
//     capacity is within kProductiveShare of the best reachable one), waiting for it to fill at
//     the measured rate: full batches, not many small ones sharing the threads. The wait is at
//     most the thread time that batch saves over running its rows one at a time
//     (B * run(1) - run(B)): waiting longer idles a thread for more than batching gives back
//     (a model that batching barely amortises, such as mobilenet on a CPU, hardly waits; the
//     rows in flight may never all reach one queue while another batch runs). While the fit has
//     seen one size only it cannot tell, and the reach count is tried (else a queue stuck at one
//     size never learns);
//   - a batch never waits more than half the target.
// The target is reported reachable when the fewest rows that keep up would run within 80 % of it
// (one batch ahead, or the measured wait for a thread if longer, plus its own run). Measured
// queue waits never change the batches: a queue that waits because the server is behind needs
// larger batches, not smaller ones.
#ifndef TESSERA_BATCH_POLICY_H_
#define TESSERA_BATCH_POLICY_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tessera {

// Run time of one batch as fixed_micros + per_row_micros * rows (least squares over a window).
struct RunTimeFit {
  double fixed_micros = 0;
  double per_row_micros = 0;
  int samples = 0;  // 0: nothing measured yet
  bool one_size = true;  // every sample had the same row count: how run time grows is not known
  double Predict(int64_t rows) const { return fixed_micros + per_row_micros * static_cast<double>(rows); }
};

// The last `capacity` (rows, run micros) samples and their least-squares line. With a single
// distinct batch size the slope is unknown and the fit assumes no amortisation (run time
// proportional to rows): the conservative guess for both latency and capacity.
class RunTimeWindow {
 public:
  explicit RunTimeWindow(size_t capacity = 64);
  void Add(int64_t rows, double micros);
  RunTimeFit Fit() const;
  size_t size() const { return count_; }

 private:
  struct Sample {
    double rows;
    double micros;
  };
  std::vector<Sample> samples_;  // ring buffer
  size_t next_ = 0;
  size_t count_ = 0;
};

struct QueueObservation {
  double arrival_rows_per_sec = 0;   // recent arrival rate
  double queue_wait_p99_micros = 0;  // recent p99 of time from arrival to the batch's start
  int64_t current_timeout_micros = 0;  // the timeout those waits were measured under
  RunTimeFit run_time;
  int num_threads = 1;  // batch threads that may run this queue's batches
  // Most rows that were in the session at once recently (queued + running); 0 = not known.
  int64_t max_rows_in_flight = 0;
};

struct LatencyObjective {
  int64_t target_p99_latency_micros = 0;  // > 0
  int64_t max_batch_size = 1000;
  std::vector<int64_t> allowed_batch_sizes;  // increasing, last == max_batch_size; empty = any
};

struct BatchDecision {
  int64_t timeout_micros = 0;
  int64_t max_batch_size = 1;  // a batch closes (is ready) at this many rows
  bool target_reachable = true;  // false: no size meets the target at this load
  bool operator==(const BatchDecision& o) const {
    return timeout_micros == o.timeout_micros && max_batch_size == o.max_batch_size &&
           target_reachable == o.target_reachable;
  }
  bool operator!=(const BatchDecision& o) const { return !(*this == o); }
};

// Share of the target the plan may use (the rest absorbs the unmodelled: transport, jitter).
constexpr double kLatencyBudgetShare = 0.8;
// Capacity must exceed the arrival rate by this factor (utilisation <= 1 / headroom).
constexpr double kCapacityHeadroom = 1.25;
// Under overload, sizes whose capacity is within this share of the best reachable one are as
// good; the smallest of them is taken (it fills soonest and runs shortest).
constexpr double kProductiveShare = 0.95;

BatchDecision ChooseBatching(const QueueObservation& observed, const LatencyObjective& objective);

// True when `next` differs from `previous` enough to log: size or timeout changed by 2x or more
// (timeouts under 100 us count as equal), or reachability flipped.
bool ChangedMarkedly(const BatchDecision& previous, const BatchDecision& next);

}  // namespace tessera

#endif  // TESSERA_BATCH_POLICY_H_
