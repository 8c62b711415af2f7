#include "tessera/batch_controller.h"

#include <algorithm>
#include <cmath>

namespace tessera {

BatchController::BatchController(BatchControllerOptions options)
    : options_(std::move(options)), run_times_(options_.run_time_window) {
  waits_.reserve(options_.wait_window);
  decision_.max_batch_size = options_.objective.max_batch_size;
}

void BatchController::OnArrival(int64_t now_micros, int64_t rows, int64_t rows_in_flight) {
  std::lock_guard<std::mutex> lock(mu_);
  ReachLocked(now_micros);
  reach_now_ = std::max(reach_now_, rows_in_flight);
  if (first_arrival_ < 0) first_arrival_ = now_micros;
  const double dt = static_cast<double>(std::max<int64_t>(0, now_micros - last_arrival_));
  decayed_rows_ = decayed_rows_ * std::exp(-dt / options_.rate_time_constant_micros) + static_cast<double>(rows);
  last_arrival_ = std::max(last_arrival_, now_micros);
}

void BatchController::OnBatch(int64_t, int64_t rows, int64_t tasks_rows, double run_micros,
                              const std::vector<int64_t>& waits_micros) {
  std::lock_guard<std::mutex> lock(mu_);
  run_times_.Add(rows, run_micros);
  for (int64_t wait : waits_micros) {
    if (waits_.size() < options_.wait_window) {
      waits_.push_back(wait);
    } else {
      waits_[next_wait_] = wait;
    }
    next_wait_ = (next_wait_ + 1) % options_.wait_window;
  }
  const double limit = static_cast<double>(std::max<int64_t>(1, decision_.max_batch_size));
  fill_ratio_ = 0.8 * fill_ratio_ + 0.2 * std::min(1.0, static_cast<double>(tasks_rows) / limit);
}

// Rows per second: the decayed count over its time constant, corrected for the first moments
// after the first arrival (when the count has not had time to build up).
double BatchController::RateLocked(int64_t now_micros) const {
  if (first_arrival_ < 0) return 0;
  const double tau = options_.rate_time_constant_micros;
  const double idle = static_cast<double>(std::max<int64_t>(0, now_micros - last_arrival_));
  const double seen = static_cast<double>(std::max<int64_t>(1, now_micros - first_arrival_));
  const double warm = 1 - std::exp(-seen / tau);
  return decayed_rows_ * std::exp(-idle / tau) / tau * 1e6 / std::max(warm, 1e-3);
}

double BatchController::WaitP99Locked() const {
  if (waits_.empty()) return 0;
  std::vector<int64_t> sorted = waits_;
  const size_t at = std::min(sorted.size() - 1, sorted.size() * 99 / 100);
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(at), sorted.end());
  return static_cast<double>(sorted[at]);
}

// Rolls the reach windows forward to now_micros and returns the peak over the two.
int64_t BatchController::ReachLocked(int64_t now_micros) {
  const int64_t window = std::max<int64_t>(1, options_.reach_window_micros);
  if (now_micros - reach_since_ >= window) {
    reach_before_ = now_micros - reach_since_ >= 2 * window ? 0 : reach_now_;
    reach_now_ = 0;
    reach_since_ = now_micros;
  }
  return std::max(reach_now_, reach_before_);
}

BatchDecision BatchController::Decide(int64_t now_micros, bool* logworthy) {
  std::lock_guard<std::mutex> lock(mu_);
  if (logworthy != nullptr) *logworthy = false;
  if (decided_ && now_micros - decided_at_ < options_.decide_every_micros) return decision_;
  QueueObservation observed;
  observed.arrival_rows_per_sec = RateLocked(now_micros);
  observed.queue_wait_p99_micros = WaitP99Locked();
  observed.current_timeout_micros = decision_.timeout_micros;
  observed.run_time = run_times_.Fit();
  observed.num_threads = options_.num_threads;
  observed.max_rows_in_flight = ReachLocked(now_micros);
  const BatchDecision next = ChooseBatching(observed, options_.objective);
  if (logworthy != nullptr && decided_) *logworthy = ChangedMarkedly(decision_, next);
  decision_ = next;
  decided_at_ = now_micros;
  decided_ = true;
  return decision_;
}

void BatchController::SetObjective(const LatencyObjective& objective, int num_threads) {
  std::lock_guard<std::mutex> lock(mu_);
  options_.objective = objective;
  options_.num_threads = num_threads;
  decided_ = false;  // re-decide at the next call
}

BatchController::Snapshot BatchController::snapshot(int64_t now_micros) {
  std::lock_guard<std::mutex> lock(mu_);
  Snapshot s;
  s.decision = decision_;
  s.arrival_rows_per_sec = RateLocked(now_micros);
  s.queue_wait_p99_micros = WaitP99Locked();
  s.fill_ratio = fill_ratio_;
  s.max_rows_in_flight = ReachLocked(now_micros);
  s.run_time = run_times_.Fit();
  return s;
}

}  // namespace tessera
