// The batch controller stepped by hand: times are passed in, so arrivals, batches and decisions
// happen at chosen instants (no threads, no clock). Bursts, idle periods and run-time drift as a
// queue would see them.
#include "tessera/batch_controller.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace tessera {
namespace {

BatchControllerOptions Options(int64_t target_micros = 20'000) {
  BatchControllerOptions o;
  o.objective.target_p99_latency_micros = target_micros;
  o.objective.max_batch_size = 64;
  o.num_threads = 2;
  return o;
}

// Arrivals of one row every `gap` us from `from` for `span` us, deciding after each; batches are
// reported as they would run on a weight-bound model (fixed + per_row us), alternately of
// `batch_rows` and half as many rows (real queues never form batches of one size only). The rows
// in flight are those of the open batch.
int64_t Drive(BatchController* c, int64_t from, int64_t span, int64_t gap, int64_t batch_rows,
              double fixed = 2000, double per_row = 50) {
  int64_t queued = 0, t = from;
  bool half = false;
  for (; t < from + span; t += gap) {
    c->OnArrival(t, 1, queued + 1);
    const int64_t rows = half ? std::max<int64_t>(1, batch_rows / 2) : batch_rows;
    if (++queued == rows) {
      c->OnBatch(t, rows, rows, fixed + per_row * static_cast<double>(rows), {100});
      queued = 0;
      half = !half;
    }
    c->Decide(t);
  }
  return t;
}

TEST(BatchControllerTest, BeforeAnyBatchRanItDoesNotWait) {
  BatchController c(Options());
  c.OnArrival(0, 1, 1);
  BatchDecision d = c.Decide(0);
  EXPECT_EQ(0, d.timeout_micros);
  EXPECT_EQ(64, d.max_batch_size);
}

TEST(BatchControllerTest, MeasuresTheArrivalRateAndDecaysItWhenIdle) {
  BatchController c(Options());
  int64_t t = Drive(&c, 0, 1'000'000, 500, 1);  // 2000 rows/s
  EXPECT_NEAR(2000, c.snapshot(t).arrival_rows_per_sec, 100);
  EXPECT_LT(c.snapshot(t + 3'000'000).arrival_rows_per_sec, 1) << "three seconds of silence";
}

TEST(BatchControllerTest, ABurstBeyondWhatBatchesCarryRaisesTheTimeoutAndAnIdlePeriodDropsItAtOnce) {
  BatchController c(Options());
  int64_t t = Drive(&c, 0, 500'000, 2000, 4);  // 500 rows/s
  BatchDecision calm = c.Decide(t + 20'000);
  EXPECT_EQ(0, calm.timeout_micros) << "500 rows/s: batches carry it without waiting";
  t = Drive(&c, t + 20'000, 300'000, 20, 32);  // a burst of 50000 rows/s, up to 32 rows in flight
  BatchDecision burst = c.Decide(t);
  EXPECT_GT(burst.timeout_micros, 0);
  EXPECT_LE(burst.timeout_micros, 10'000);
  EXPECT_LE(burst.max_batch_size, 32);
  EXPECT_FALSE(burst.target_reachable) << "capacity(32) = 17778/s";
  bool logworthy = false;
  t += 3'000'000;  // three seconds idle, then one request
  c.OnArrival(t, 1, 1);
  BatchDecision after = c.Decide(t, &logworthy);
  EXPECT_EQ(0, after.timeout_micros) << "must not wait for a batch that will not fill";
  EXPECT_TRUE(logworthy) << "a marked change is reported once";
  c.Decide(t + 30'000, &logworthy);
  EXPECT_FALSE(logworthy);
}

TEST(BatchControllerTest, DecidesAtMostOncePerInterval) {
  BatchController c(Options());
  int64_t t = Drive(&c, 0, 300'000, 100, 32);
  BatchDecision d = c.Decide(t);
  c.SetObjective(Options(2'000).objective, 2);  // re-decides at the next call, whenever it is
  EXPECT_NE(d, c.Decide(t + 1));
  BatchDecision tight = c.Decide(t + 1);
  for (int i = 0; i < 100; ++i) c.OnArrival(t + 2 + i, 1, 1);
  EXPECT_EQ(tight, c.Decide(t + 500)) << "within decide_every_micros the decision stands";
}

TEST(BatchControllerTest, RunTimeDriftIsFollowed) {
  BatchController c(Options());
  int64_t t = Drive(&c, 0, 500'000, 250, 8);  // 4000 rows/s
  const BatchDecision fast = c.Decide(t + 20'000);
  t = Drive(&c, t + 20'000, 500'000, 250, 8, 5000, 120);  // the model got 2.5x slower
  const BatchDecision slow = c.Decide(t + 20'000);
  EXPECT_NEAR(5000, c.snapshot(t).run_time.fixed_micros, 1) << "the window holds only the new runs";
  // fast: 6 rows per batch keep up, no waiting; slow: no batch of at most 8 rows (the most in
  // flight) keeps up, so the most productive one (8) fills, at 4000/s in 1.75 ms (the measured
  // rate has decayed by about 8 % over the 20 ms since the last arrival).
  EXPECT_TRUE(fast.target_reachable);
  EXPECT_EQ(0, fast.timeout_micros);
  EXPECT_FALSE(slow.target_reachable);
  EXPECT_NEAR(1750 / 0.92, slow.timeout_micros, 50);
  EXPECT_EQ(8, slow.max_batch_size);
}

TEST(BatchControllerTest, ABatchThatWaitsClosesAtTheMostRowsSeenInFlight) {
  BatchController c(Options());
  // 5000 rows/s with at most 5 rows in flight: capacity(5) = 4444/s < 1.25 * 5000
  int64_t t = Drive(&c, 0, 500'000, 200, 5);
  BatchDecision d = c.Decide(t + 20'000);
  EXPECT_EQ(5, d.max_batch_size) << "no sixth caller is there to wait for";
  EXPECT_NEAR(800 / 0.92, d.timeout_micros, 30) << "4 more rows at 5000/s, decayed over 20 ms";
  EXPECT_EQ(5, c.snapshot(t).max_rows_in_flight);
  t = Drive(&c, t + 20'000, 2'500'000, 200, 4);  // fewer callers now: the 5 ages out
  EXPECT_EQ(4, c.snapshot(t).max_rows_in_flight);
  EXPECT_EQ(4, c.Decide(t + 20'000).max_batch_size);
  EXPECT_EQ(0, c.snapshot(t + 2'000'000).max_rows_in_flight) << "two quiet windows";
}

TEST(BatchControllerTest, ReportsTheFillRatioOfRecentBatches) {
  BatchController c(Options());
  for (int i = 0; i < 50; ++i) c.OnBatch(i, 32, 16, 3000, {});
  EXPECT_NEAR(0.25, c.snapshot(50).fill_ratio, 0.01) << "16 rows of the 64 allowed";
}

}  // namespace
}  // namespace tessera
