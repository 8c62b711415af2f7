#include "tessera/batch_policy.h"

#include <algorithm>
#include <cmath>

namespace tessera {
namespace {

// Row counts the policy considers: every count to 16, then steps of ~1/8 up to the maximum (a
// finer grid buys nothing: arrivals are not that regular).
std::vector<int64_t> Grid(int64_t max_batch_size) {
  std::vector<int64_t> sizes;
  const int64_t max = std::max<int64_t>(1, max_batch_size);
  for (int64_t b = 1; b <= max; b = b < 16 ? b + 1 : b + b / 8) sizes.push_back(b);
  if (sizes.back() != max) sizes.push_back(max);
  return sizes;
}

// The size a batch of `rows` runs at: the next allowed size, if any are configured.
int64_t Padded(const LatencyObjective& objective, int64_t rows) {
  for (int64_t allowed : objective.allowed_batch_sizes) {
    if (allowed >= rows) return allowed;
  }
  return rows;
}

}  // namespace

RunTimeWindow::RunTimeWindow(size_t capacity) : samples_(std::max<size_t>(2, capacity)) {}

void RunTimeWindow::Add(int64_t rows, double micros) {
  if (rows <= 0 || !(micros >= 0)) return;  // also drops NaN
  samples_[next_] = Sample{static_cast<double>(rows), micros};
  next_ = (next_ + 1) % samples_.size();
  count_ = std::min(count_ + 1, samples_.size());
}

RunTimeFit RunTimeWindow::Fit() const {
  RunTimeFit fit;
  fit.samples = static_cast<int>(count_);
  if (count_ == 0) return fit;
  double sx = 0, sy = 0;
  for (size_t i = 0; i < count_; ++i) {
    sx += samples_[i].rows;
    sy += samples_[i].micros;
  }
  const double n = static_cast<double>(count_);
  const double mx = sx / n, my = sy / n;
  double sxx = 0, sxy = 0;
  for (size_t i = 0; i < count_; ++i) {
    sxx += (samples_[i].rows - mx) * (samples_[i].rows - mx);
    sxy += (samples_[i].rows - mx) * (samples_[i].micros - my);
  }
  // One distinct size (or a line through negative values): assume no amortisation, run time
  // proportional to rows, which overstates large batches' cost rather than understating it.
  fit.one_size = sxx < 1e-9;
  if (sxx < 1e-9 || sxy < 0 || my - (sxy / sxx) * mx < 0) {
    fit.fixed_micros = 0;
    fit.per_row_micros = my / mx;
    return fit;
  }
  fit.per_row_micros = sxy / sxx;
  fit.fixed_micros = my - fit.per_row_micros * mx;
  return fit;
}

BatchDecision ChooseBatching(const QueueObservation& observed, const LatencyObjective& objective) {
  const std::vector<int64_t> rows = Grid(objective.max_batch_size);
  // Sizes a batch may close at: the allowed sizes (no padding wasted at the limit), else the grid.
  const std::vector<int64_t>& sizes = objective.allowed_batch_sizes.empty() ? rows : objective.allowed_batch_sizes;
  BatchDecision decision;
  decision.max_batch_size = sizes.back();
  if (observed.run_time.samples == 0 || objective.target_p99_latency_micros <= 0) {
    return decision;  // nothing measured yet: run what arrives at once, and learn
  }
  const double budget = kLatencyBudgetShare * static_cast<double>(objective.target_p99_latency_micros);
  const double rate = std::max(0.0, observed.arrival_rows_per_sec);
  const double threads = std::max(1, observed.num_threads);
  const int64_t reach = observed.max_rows_in_flight > 0
                            ? std::min(observed.max_rows_in_flight, rows.back())
                            : rows.back();
  auto run = [&](int64_t b) { return std::max(1.0, observed.run_time.Predict(Padded(objective, b))); };
  auto capacity = [&](int64_t b) { return threads * static_cast<double>(b) * 1e6 / run(b); };
  auto fill_micros = [&](int64_t b) { return rate > 0 ? (static_cast<double>(b) - 1) * 1e6 / rate : 0.0; };

  std::vector<int64_t> candidates;  // sizes a batch can reach (padded rows cost as the allowed size)
  for (int64_t b : sizes) {
    if (b < reach) candidates.push_back(b);
  }
  candidates.push_back(reach);
  int64_t needed = -1;  // fewest rows per batch that keep up with the arrivals
  for (int64_t b : candidates) {
    if (capacity(b) >= rate * kCapacityHeadroom) {
      needed = b;
      break;
    }
  }
  double timeout = 0;
  if (needed < 0) {  // overload: the most productive reachable size, waiting for it to fill
    double best = 0;
    for (int64_t b : candidates) best = std::max(best, capacity(b));
    int64_t productive = candidates.back();
    for (int64_t b : candidates) {
      if (!observed.run_time.one_size && capacity(b) >= kProductiveShare * best) {
        productive = b;
        break;
      }
    }
    decision.target_reachable = false;
    decision.max_batch_size = productive;
    timeout = fill_micros(productive);
    if (!observed.run_time.one_size) {  // one size seen: wait for the reach count, to learn
      const double saved = static_cast<double>(productive) * run(1) - run(productive);
      timeout = std::min(timeout, std::max(0.0, saved));
    }
  } else {  // batches carry the load: no waiting, every queued row joins the next batch
    const double thread_wait_seen =
        std::max(0.0, observed.queue_wait_p99_micros - static_cast<double>(observed.current_timeout_micros));
    decision.target_reachable = std::max(run(needed), thread_wait_seen) + run(needed) <= budget;
  }
  // Never starve a queue: a batch waits at most half the target, whatever the measurements say.
  const double cap = static_cast<double>(objective.target_p99_latency_micros) / 2;
  decision.timeout_micros = static_cast<int64_t>(std::clamp(timeout, 0.0, cap));
  return decision;
}

bool ChangedMarkedly(const BatchDecision& previous, const BatchDecision& next) {
  if (previous.target_reachable != next.target_reachable) return true;
  const auto ratio = [](double a, double b) { return std::max(a, b) / std::max(1.0, std::min(a, b)); };
  if (ratio(static_cast<double>(previous.max_batch_size), static_cast<double>(next.max_batch_size)) >= 2) {
    return true;
  }
  const double t0 = static_cast<double>(previous.timeout_micros), t1 = static_cast<double>(next.timeout_micros);
  return std::max(t0, t1) >= 100 && (std::min(t0, t1) < 100 || ratio(t0, t1) >= 2);
}

}  // namespace tessera
