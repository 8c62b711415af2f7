// The shared batch threads with fake sources (no TensorFlow): every source gets its ready batches
// run, the process-wide slot bound holds, and Remove() waits for a source's running batch.
#include "tessera/batch_threads.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

namespace tessera {
namespace {

using namespace std::chrono_literals;

// A source holding `ready` batches; each job sleeps `work` and counts itself.
class FakeSource : public BatchSource {
 public:
  explicit FakeSource(std::chrono::milliseconds work = 0ms) : work_(work) {}

  void AddReady(int n) {
    std::lock_guard<std::mutex> lock(mu_);
    ready_ += n;
  }

  std::function<void()> TakeReadyBatch(Clock::time_point*) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (ready_ == 0) return {};
    ready_--;
    return [this] {
      const int now = ++running_;
      int seen = max_running_.load();
      while (now > seen && !max_running_.compare_exchange_weak(seen, now)) {
      }
      std::this_thread::sleep_for(work_);
      running_--;
      done_++;
    };
  }

  std::atomic<int> done_{0};
  std::atomic<int> running_{0};
  std::atomic<int> max_running_{0};

 private:
  const std::chrono::milliseconds work_;
  std::mutex mu_;
  int ready_ = 0;
};

bool WaitFor(const std::function<bool()>& condition) {
  for (int i = 0; i < 500 && !condition(); ++i) std::this_thread::sleep_for(10ms);
  return condition();
}

TEST(BatchThreadsTest, EverySourceGetsItsReadyBatchesRun) {
  BatchThreads threads(2);
  FakeSource a, b;
  threads.Add(&a);
  threads.Add(&b);
  a.AddReady(20);
  b.AddReady(20);
  threads.Notify();
  EXPECT_TRUE(WaitFor([&] { return a.done_ == 20 && b.done_ == 20; }));
  threads.Remove(&a);
  threads.Remove(&b);
}

TEST(BatchThreadsTest, AtMostNumThreadsBatchesRunAtOnceCountingCallerRunBatches) {
  BatchThreads threads(2);
  FakeSource slow(20ms);
  threads.Add(&slow);
  slow.AddReady(6);
  threads.Notify();
  EXPECT_TRUE(WaitFor([&] { return slow.done_ == 6; }));
  EXPECT_LE(slow.max_running_.load(), 2);

  // A request thread holds one slot and then the other: the pool must not start a batch.
  ASSERT_TRUE(threads.TryClaimSlot());
  ASSERT_TRUE(threads.TryClaimSlot());
  EXPECT_FALSE(threads.TryClaimSlot());
  slow.AddReady(1);
  threads.Notify();
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(6, slow.done_.load()) << "no free slot: the ready batch waits";
  threads.ReleaseSlot();
  EXPECT_TRUE(WaitFor([&] { return slow.done_ == 7; }));
  threads.ReleaseSlot();
  threads.Remove(&slow);
}

TEST(BatchThreadsTest, RemoveWaitsForTheSourcesRunningBatch) {
  BatchThreads threads(1);
  FakeSource slow(200ms);
  threads.Add(&slow);
  slow.AddReady(1);
  threads.Notify();
  ASSERT_TRUE(WaitFor([&] { return slow.running_ == 1; }));
  threads.Remove(&slow);
  EXPECT_EQ(1, slow.done_.load()) << "Remove returned while a batch of the source was running";
}

}  // namespace
}  // namespace tessera
