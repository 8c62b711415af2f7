// BatchingSession's limits: reloaded options and adaptive batching's decisions applied to the
// queues (see batching_session.h).
#include "tessera/batching_session.h"

namespace tessera {
namespace {

LatencyObjective ObjectiveOf(const BatchingOptions& options) {
  LatencyObjective objective;
  objective.target_p99_latency_micros = options.target_p99_latency_micros;
  objective.max_batch_size = options.queue.max_batch_size;
  objective.allowed_batch_sizes = options.allowed_batch_sizes;
  return objective;
}

}  // namespace

std::shared_ptr<const BatchingOptions> BatchingSession::options() {
  std::lock_guard<std::mutex> lock(mu_);
  return options_;
}

void BatchingSession::UpdateOptions(BatchingOptions options) {
  auto next = std::make_shared<const BatchingOptions>(std::move(options));
  const int threads = threads_ ? threads_->num_threads() : 1;
  std::lock_guard<std::mutex> lock(mu_);
  options_ = next;
  for (auto& entry : queues_) entry.second->SetOptions(next->queue);
  applied_ = BatchDecision{next->queue.batch_timeout_micros, next->queue.max_batch_size, true};
  if (next->target_p99_latency_micros <= 0) {
    controller_.reset();
  } else if (controller_) {
    controller_->SetObjective(ObjectiveOf(*next), threads);  // keeps what it measured
  } else {
    BatchControllerOptions controller;
    controller.objective = ObjectiveOf(*next);
    controller.num_threads = threads;
    controller_ = std::make_shared<BatchController>(controller);
  }
  if (controller_) AdaptLocked(0);
}

void BatchingSession::AdaptLocked(int64_t rows) {
  const int64_t now = SteadyMicros();
  if (rows > 0) controller_->OnArrival(now, rows, in_flight_rows_.load());
  bool marked = false;
  const BatchDecision decision = controller_->Decide(now, &marked);
  if (marked) stats_.marked_changes++;
  if (decision == applied_) return;
  applied_ = decision;
  for (auto& entry : queues_) entry.second->SetLimits(decision.max_batch_size, decision.timeout_micros);
}

BatchingState BatchingSession::state() {
  std::lock_guard<std::mutex> lock(mu_);
  BatchingState state;
  state.timeout_micros = applied_.timeout_micros;
  state.batch_size_limit = applied_.max_batch_size;
  state.target_reachable = applied_.target_reachable;
  if (controller_) {
    const BatchController::Snapshot snapshot = controller_->snapshot(SteadyMicros());
    state.adaptive = true;
    state.arrival_rows_per_sec = snapshot.arrival_rows_per_sec;
    state.fill_ratio = snapshot.fill_ratio;
  }
  return state;
}

}  // namespace tessera
