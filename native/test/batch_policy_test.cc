// The adaptive batching policy as a pure function, and the run-time fit it plans with: given
// statistics, the decisions (no threads, no clock, no TensorFlow).
#include "tessera/batch_policy.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace tessera {
namespace {

// A weight-bound model: 2 ms per batch plus 50 us per row.
RunTimeFit WeightBound(double fixed = 2000, double per_row = 50) {
  RunTimeFit fit;
  fit.fixed_micros = fixed;
  fit.per_row_micros = per_row;
  fit.samples = 64;
  fit.one_size = false;
  return fit;
}

QueueObservation Observed(double rate, RunTimeFit fit = WeightBound(), int threads = 2) {
  QueueObservation o;
  o.arrival_rows_per_sec = rate;
  o.run_time = fit;
  o.num_threads = threads;
  return o;
}

LatencyObjective Target(int64_t micros, int64_t max_batch = 64, std::vector<int64_t> allowed = {}) {
  LatencyObjective o;
  o.target_p99_latency_micros = micros;
  o.max_batch_size = max_batch;
  o.allowed_batch_sizes = std::move(allowed);
  return o;
}

TEST(RunTimeWindowTest, RecoversALineAndForgetsSamplesOutsideTheWindow) {
  RunTimeWindow window(8);
  for (int64_t b : {1, 2, 4, 8, 16, 32, 1, 8}) window.Add(b, 1000 + 10.0 * b);
  RunTimeFit fit = window.Fit();
  EXPECT_EQ(8, fit.samples);
  EXPECT_FALSE(fit.one_size);
  EXPECT_NEAR(1000, fit.fixed_micros, 1e-6);
  EXPECT_NEAR(10, fit.per_row_micros, 1e-6);
  for (int64_t b : {1, 2, 4, 8, 16, 32, 1, 8}) window.Add(b, 3000 + 20.0 * b);  // drift: all replaced
  fit = window.Fit();
  EXPECT_EQ(8, fit.samples);
  EXPECT_NEAR(3000, fit.fixed_micros, 1e-6);
  EXPECT_NEAR(20, fit.per_row_micros, 1e-6);
}

TEST(RunTimeWindowTest, OneDistinctSizeAssumesNoAmortisation) {
  RunTimeWindow window(8);
  window.Add(4, 400);
  window.Add(4, 600);
  RunTimeFit fit = window.Fit();
  EXPECT_TRUE(fit.one_size);
  EXPECT_EQ(0, fit.fixed_micros);
  EXPECT_DOUBLE_EQ(125, fit.per_row_micros) << "mean 500 us over 4 rows";
  EXPECT_DOUBLE_EQ(1000, fit.Predict(8));
  window.Add(0, 10);  // ignored
  window.Add(2, -1);  // ignored
  EXPECT_EQ(2, window.Fit().samples);
}

TEST(BatchPolicyTest, NothingMeasuredYetRunsAtOnceUpToTheMaximum) {
  QueueObservation o;
  BatchDecision d = ChooseBatching(o, Target(20'000, 32));
  EXPECT_EQ(0, d.timeout_micros);
  EXPECT_EQ(32, d.max_batch_size);
  EXPECT_TRUE(d.target_reachable);
}

TEST(BatchPolicyTest, LowLoadDoesNotWaitForBatchesThatWillNotFill) {
  BatchDecision d = ChooseBatching(Observed(50), Target(20'000));
  EXPECT_EQ(0, d.timeout_micros);
  EXPECT_TRUE(d.target_reachable);
  EXPECT_EQ(64, d.max_batch_size) << "rows queued behind a running batch all join the next one";
}

TEST(BatchPolicyTest, WithoutWaitingQueuedRowsJoinEvenWhenOneRowUsesMostOfTheBudget) {
  // 5 ms per row and nothing else measured: 2 * run(2) > 16 ms, yet rows that are already queued
  // lose nothing by running together (and the fit learns what larger batches cost).
  BatchDecision d = ChooseBatching(Observed(50, WeightBound(0, 5000)), Target(20'000));
  EXPECT_EQ(0, d.timeout_micros);
  EXPECT_EQ(64, d.max_batch_size);
  EXPECT_TRUE(d.target_reachable);
}

TEST(BatchPolicyTest, IdleQueueDoesNotWait) {
  BatchDecision d = ChooseBatching(Observed(0), Target(20'000));
  EXPECT_EQ(0, d.timeout_micros);
  EXPECT_TRUE(d.target_reachable);
}

TEST(BatchPolicyTest, WhileBatchesCarryTheLoadTheyNeverWait) {
  // capacity(b) = 2 b / (2 ms + 50 us b): 2000 rows/s * 1.25 needs 3 rows per batch, 10000 rows/s
  // 19: rows queued while both threads run are enough, so no batch waits for more.
  for (double rate : {2000.0, 10'000.0, 19'000.0}) {
    BatchDecision d = ChooseBatching(Observed(rate), Target(20'000));
    EXPECT_EQ(0, d.timeout_micros) << rate;
    EXPECT_EQ(64, d.max_batch_size) << rate;
    EXPECT_TRUE(d.target_reachable) << rate << ": 2 * run(needed) fits 16 ms";
  }
}

TEST(BatchPolicyTest, ABurstBeyondWhatBatchesCarryWaitsForFullBatches) {
  const LatencyObjective target = Target(20'000);
  BatchDecision calm = ChooseBatching(Observed(10'000), target);
  BatchDecision burst = ChooseBatching(Observed(30'000), target);  // capacity(64) = 24615/s < 37500
  EXPECT_FALSE(burst.target_reachable);
  EXPECT_EQ(57, burst.max_batch_size) << "the most productive size (see the next test)";
  EXPECT_EQ(1866, burst.timeout_micros) << "56 more rows at 30000/s";
  EXPECT_NE(calm, burst);
}

TEST(BatchPolicyTest, OverloadTakesTheMostProductiveSizeAndWaitsForItToFill) {
  BatchDecision d = ChooseBatching(Observed(1e6), Target(20'000));  // far beyond any batch size
  EXPECT_FALSE(d.target_reachable);
  // capacity(64) = 128 / 5.2 ms = 24615/s; the smallest grid size within 95 % of it: 2 b / (2000 +
  // 50 b) us >= 23384/s -> b >= 56.3, the grid's 57; 56 more rows arrive in 56 us.
  EXPECT_EQ(57, d.max_batch_size);
  EXPECT_EQ(56, d.timeout_micros);
}

TEST(BatchPolicyTest, OverloadWithoutAmortisationRunsRowsAsTheyComeWithoutWaiting) {
  // run time proportional to rows: every size has the same capacity, 2 threads * 1 row / 1 ms.
  BatchDecision d = ChooseBatching(Observed(5000, WeightBound(0, 1000)), Target(20'000));
  EXPECT_FALSE(d.target_reachable);
  EXPECT_EQ(1, d.max_batch_size) << "larger batches would only add latency";
  EXPECT_EQ(0, d.timeout_micros);
}

TEST(BatchPolicyTest, OverloadWaitsNoLongerThanTheBatchSavesOverRunningItsRowsOneByOne) {
  // Compute-bound (mobilenet on a CPU): 1 ms per batch plus 10 ms per row, 8 rows in flight.
  QueueObservation o = Observed(170, WeightBound(1000, 10'000));
  o.max_rows_in_flight = 8;
  BatchDecision d = ChooseBatching(o, Target(200'000));
  EXPECT_FALSE(d.target_reachable);
  // capacity(8) = 16 / 81 ms = 197.5/s; within 95 %: 2 b / (1 + 10 b) ms >= 187.7/s -> b = 2,
  // which fills in 1/170 s = 5882 us but saves only 2 * 11 ms - 21 ms = 1 ms of thread time.
  EXPECT_EQ(2, d.max_batch_size);
  EXPECT_EQ(1000, d.timeout_micros);
  // weight-bound, overloaded: a batch saves far more than its fill takes, which stays the wait
  d = ChooseBatching(Observed(30'000), Target(20'000));
  EXPECT_EQ(57, d.max_batch_size);
  EXPECT_EQ(1866, d.timeout_micros) << "56 more rows at 30000/s; saves 57 * 2.05 ms - 4.85 ms";
}

TEST(BatchPolicyTest, OverloadTriesTheReachCountWhileOnlyOneSizeWasMeasured) {
  RunTimeWindow window(8);
  for (int i = 0; i < 8; ++i) window.Add(1, 1000);  // batches of one row only: the slope is unknown
  QueueObservation o = Observed(5000, window.Fit());
  o.max_rows_in_flight = 8;
  BatchDecision d = ChooseBatching(o, Target(20'000));
  EXPECT_FALSE(d.target_reachable);
  EXPECT_EQ(8, d.max_batch_size) << "not one row for ever: the fit must see another size";
  EXPECT_EQ(1400, d.timeout_micros) << "7 more rows at 5000/s";
}

TEST(BatchPolicyTest, BoundedCallersCapTheBatchAtTheRowsInFlight) {
  // 8 callers (e.g. --grpc_max_threads 8) at saturation: the queue sees the throughput, 6000
  // rows/s; 2 * 8 / (2000 + 400) us = 6667/s < 1.25 * 6000, and no batch can hold a ninth row.
  QueueObservation o = Observed(6000);
  o.max_rows_in_flight = 8;
  BatchDecision d = ChooseBatching(o, Target(20'000));
  EXPECT_FALSE(d.target_reachable);
  EXPECT_EQ(8, d.max_batch_size) << "not 57 rows that can never come";
  EXPECT_EQ(1166, d.timeout_micros) << "7 more rows at 6000/s";
  o.max_rows_in_flight = 0;  // not known: 10 rows per batch would keep up
  d = ChooseBatching(o, Target(20'000));
  EXPECT_TRUE(d.target_reachable);
  EXPECT_EQ(0, d.timeout_micros);
}

TEST(BatchPolicyTest, FewerRowsInFlightThanTheLoadNeedsIsOverloadWithinReach) {
  QueueObservation o = Observed(2000);  // needs 3 rows per batch
  o.max_rows_in_flight = 5;
  EXPECT_EQ(0, ChooseBatching(o, Target(20'000)).timeout_micros);
  o.max_rows_in_flight = 2;
  BatchDecision d = ChooseBatching(o, Target(20'000));
  EXPECT_FALSE(d.target_reachable);
  EXPECT_EQ(2, d.max_batch_size);
  EXPECT_EQ(500, d.timeout_micros) << "the second row arrives in 0.5 ms";
}

TEST(BatchPolicyTest, WithoutWaitingBatchesMayGrowBeyondTheRowsInFlight) {
  QueueObservation o = Observed(50);
  o.max_rows_in_flight = 2;
  BatchDecision d = ChooseBatching(o, Target(20'000));
  EXPECT_EQ(0, d.timeout_micros);
  EXPECT_EQ(64, d.max_batch_size) << "a burst's queued rows may join the next batch";
}

TEST(BatchPolicyTest, ATargetTooTightForTheLoadLetsBatchesGrowWithoutWaiting) {
  // 2 * run(1) = 4.1 ms > 0.8 * 4 ms: nothing fits; 2000 rows/s still needs b = 3.
  BatchDecision d = ChooseBatching(Observed(2000), Target(4'000));
  EXPECT_FALSE(d.target_reachable);
  EXPECT_EQ(64, d.max_batch_size) << "throughput wins: queued requests join the largest batches";
  EXPECT_EQ(0, d.timeout_micros) << "no budget left to wait";
}

TEST(BatchPolicyTest, RunTimeDriftTurnsALoadBatchesCarriedIntoOverload) {
  const LatencyObjective target = Target(20'000);
  BatchDecision before = ChooseBatching(Observed(15'000), target);
  EXPECT_EQ(0, before.timeout_micros) << "capacity(64) = 24615/s >= 1.25 * 15000";
  // 4 ms + 100 us a row: capacity(64) = 12308/s; the smallest size within 95 % of it is the
  // grid's 57 (b >= 56.3), whose 56 more rows arrive in 3.73 ms.
  BatchDecision slower = ChooseBatching(Observed(15'000, WeightBound(4000, 100)), target);
  EXPECT_FALSE(slower.target_reachable);
  EXPECT_EQ(57, slower.max_batch_size);
  EXPECT_EQ(3733, slower.timeout_micros);
}

TEST(BatchPolicyTest, MeasuredQueueWaitsDoNotShrinkBatchesButReportTheTargetOutOfReach) {
  const BatchDecision calm = ChooseBatching(Observed(2000), Target(20'000));  // needs 3 rows
  QueueObservation o = Observed(2000);
  o.current_timeout_micros = 1000;
  o.queue_wait_p99_micros = 1000 + 8000;  // 8 ms waiting for a batch thread: still fits
  BatchDecision d = ChooseBatching(o, Target(20'000));
  EXPECT_EQ(calm, d);
  o.queue_wait_p99_micros = 1000 + 15000;  // the queue is behind (CPU contention, a burst)
  d = ChooseBatching(o, Target(20'000));
  EXPECT_EQ(calm.max_batch_size, d.max_batch_size) << "smaller batches would fall further behind";
  EXPECT_EQ(calm.timeout_micros, d.timeout_micros);
  EXPECT_FALSE(d.target_reachable) << "15 ms + run(3) > 16 ms";
}

TEST(BatchPolicyTest, DecisionsUseOnlyAllowedBatchSizesOrTheReach) {
  const LatencyObjective target = Target(20'000, 64, {4, 16, 64});
  for (double rate : {0.0, 50.0, 2000.0, 20'000.0, 1e6}) {
    BatchDecision d = ChooseBatching(Observed(rate), target);
    EXPECT_TRUE(d.max_batch_size == 4 || d.max_batch_size == 16 || d.max_batch_size == 64) << rate;
  }
  // 1e6 rows/s: capacity(4) = 8 / 2.2 ms = 3636/s, capacity(16) = 11429/s, capacity(64) = 24615/s.
  EXPECT_EQ(64, ChooseBatching(Observed(1e6), target).max_batch_size);
  QueueObservation bounded = Observed(20'000);
  bounded.max_rows_in_flight = 8;  // 8 rows run padded to 16: 5714/s, the best within reach
  BatchDecision d = ChooseBatching(bounded, target);
  EXPECT_EQ(8, d.max_batch_size) << "ready at the reach (padded to 16 when it runs)";
  EXPECT_EQ(350, d.timeout_micros) << "7 more rows at 20000/s";
}

TEST(BatchPolicyTest, NeverStarvesAQueue) {
  for (double rate : {0.0, 1.0, 100.0, 1e3, 1e4, 1e5, 1e7}) {
    for (double fixed : {0.0, 100.0, 5000.0, 1e6}) {
      for (int64_t target : {1, 1000, 50'000, 10'000'000}) {
        for (double wait : {0.0, 1e5}) {
          QueueObservation o = Observed(rate, WeightBound(fixed, 10), 1);
          o.queue_wait_p99_micros = wait;
          o.max_rows_in_flight = static_cast<int64_t>(wait) % 7;  // 0 (unknown) or 5
          BatchDecision d = ChooseBatching(o, Target(target, 100));
          EXPECT_GE(d.timeout_micros, 0);
          EXPECT_LE(d.timeout_micros, target / 2);
          EXPECT_GE(d.max_batch_size, 1);
          EXPECT_LE(d.max_batch_size, 100);
        }
      }
    }
  }
}

TEST(BatchPolicyTest, MarkedChangesAreFactorsOfTwo) {
  BatchDecision a{1000, 16, true};
  EXPECT_FALSE(ChangedMarkedly(a, BatchDecision{1500, 24, true}));
  EXPECT_TRUE(ChangedMarkedly(a, BatchDecision{2000, 16, true}));
  EXPECT_TRUE(ChangedMarkedly(a, BatchDecision{1000, 8, true}));
  EXPECT_TRUE(ChangedMarkedly(a, BatchDecision{1000, 16, false}));
  EXPECT_TRUE(ChangedMarkedly(a, BatchDecision{0, 16, true}));
  EXPECT_FALSE(ChangedMarkedly(BatchDecision{0, 16, true}, BatchDecision{60, 16, true})) << "both under 100 us";
}

}  // namespace
}  // namespace tessera
