// The generic batch queue, stepped by hand (no threads, no TensorFlow): deterministic tests of
// batch formation, readiness, timeouts and the full-queue error.
#include "tessera/batch_queue.h"

#include <gtest/gtest.h>

#include <thread>

namespace tessera {
namespace {

struct FakeTask {
  int64_t rows;
  int64_t size() const { return rows; }
};

BatchQueueOptions Options(int64_t max_batch, int64_t timeout_micros, int64_t max_enqueued) {
  BatchQueueOptions o;
  o.max_batch_size = max_batch;
  o.batch_timeout_micros = timeout_micros;
  o.max_enqueued_batches = max_enqueued;
  return o;
}

TEST(BatchQueueTest, TasksJoinTheOpenBatchUntilItIsFull) {
  BatchQueue<FakeTask> queue(Options(4, 1'000'000'000, 10));
  FakeTask a{1}, b{2}, c{1}, d{3};
  ASSERT_TRUE(queue.Schedule(&a).ok());
  ASSERT_TRUE(queue.Schedule(&b).ok());
  EXPECT_TRUE(queue.TakeReady(false).empty()) << "3 of 4 rows and no timeout yet: not ready";
  ASSERT_TRUE(queue.Schedule(&c).ok());
  std::vector<FakeTask*> full = queue.TakeReady(false);
  ASSERT_EQ(full.size(), 3u);
  EXPECT_EQ(full[0], &a);
  EXPECT_EQ(full[2], &c);
  ASSERT_TRUE(queue.Schedule(&d).ok());
  EXPECT_TRUE(queue.TakeReady(false).empty());
  EXPECT_EQ(queue.TakeReady(true).size(), 1u) << "force takes an under-full batch";
}

TEST(BatchQueueTest, ATaskThatDoesNotFitOpensTheNextBatchAndReadiesThePrevious) {
  BatchQueue<FakeTask> queue(Options(4, 1'000'000'000, 10));
  FakeTask a{3}, b{2};
  ASSERT_TRUE(queue.Schedule(&a).ok());
  ASSERT_TRUE(queue.Schedule(&b).ok());
  std::vector<FakeTask*> first = queue.TakeReady(false);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0], &a);
  EXPECT_TRUE(queue.TakeReady(false).empty());
}

TEST(BatchQueueTest, FullQueueIsUnavailableAndOversizedTaskIsInvalid) {
  BatchQueue<FakeTask> queue(Options(4, 1'000'000'000, 1));
  FakeTask a{3}, b{3}, huge{5};
  ASSERT_TRUE(queue.Schedule(&a).ok());
  Status full = queue.Schedule(&b);
  EXPECT_EQ(full.code(), kUnavailable);
  EXPECT_NE(full.message().find("queue"), std::string::npos);
  EXPECT_EQ(queue.Schedule(&huge).code(), kInvalidArgument);
}

TEST(BatchQueueTest, TimeoutReadiesAnUnderFullBatch) {
  BatchQueue<FakeTask> queue(Options(8, 20'000, 10));
  FakeTask a{1};
  ASSERT_TRUE(queue.Schedule(&a).ok());
  EXPECT_TRUE(queue.TakeReady(false).empty());
  EXPECT_NE(queue.NextDeadline(), BatchQueue<FakeTask>::Clock::time_point::max());
  std::this_thread::sleep_until(queue.NextDeadline() + std::chrono::milliseconds(1));
  EXPECT_EQ(queue.TakeReady(false).size(), 1u);
  EXPECT_EQ(queue.NextDeadline(), BatchQueue<FakeTask>::Clock::time_point::max());
}

TEST(BatchQueueTest, ZeroTimeoutMeansReadyAtOnce) {
  BatchQueue<FakeTask> queue(Options(8, 0, 10));
  FakeTask a{1};
  ASSERT_TRUE(queue.Schedule(&a).ok());
  EXPECT_EQ(queue.TakeReady(false).size(), 1u);
}

TEST(BatchQueueTest, LimitsSetWhileTasksWaitApplyToTheOpenBatch) {
  BatchQueue<FakeTask> queue(Options(8, 1'000'000'000, 10));
  FakeTask a{1}, b{1}, c{1}, big{6};
  ASSERT_TRUE(queue.Schedule(&a).ok());
  ASSERT_TRUE(queue.Schedule(&b).ok());
  EXPECT_TRUE(queue.TakeReady(false).empty());
  queue.SetLimits(2, 1'000'000'000);
  EXPECT_EQ(2u, queue.TakeReady(false).size()) << "2 rows reach the new close size";
  ASSERT_TRUE(queue.Schedule(&c).ok());
  queue.SetLimits(2, 0);
  EXPECT_EQ(1u, queue.TakeReady(false).size()) << "timeout 0: ready at once";
  queue.SetLimits(100, 1'000'000'000);
  EXPECT_EQ(8, queue.close_size()) << "clamped to max_batch_size";
  queue.SetLimits(2, 1'000'000'000);
  ASSERT_TRUE(queue.Schedule(&big).ok()) << "larger than the close size, within the maximum";
  EXPECT_EQ(1u, queue.TakeReady(false).size());
  queue.SetOptions(Options(4, 0, 10));
  EXPECT_EQ(4, queue.close_size());
  EXPECT_EQ(kInvalidArgument, queue.Schedule(&big).code()) << "the reloaded maximum";
}

}  // namespace
}  // namespace tessera
