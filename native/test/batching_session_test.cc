// BatchingSession's merged run on a real tiny SavedModel (half_plus_two: y = 0.5x + 2, element-
// wise, so any [rows, k] input works), in puppet mode so each batch's composition is chosen by the
// test: tasks are merged, padded (allowed_batch_sizes, pad_variable_length_inputs), split back per
// task; a failing run finishes every task with its error; an expired task is not run and the
// batch's run timeout is the earliest remaining deadline. With real batch threads: a lone call
// that would run at once runs unmerged, yet counts as a batch.
#include "tessera/batching_session.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include "tessera/batch_threads.h"
#include "tessera/host_buffer.h"
#include "tessera/run_call.h"
#include "tessera/saved_model_session.h"

namespace tessera {
namespace {

using namespace std::chrono_literals;

class BatchingSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string dir = std::string(TESSERA_SHARED_DIR) + "/testdata/saved_model_half_plus_two_cpu/00000123";
    Status status;
    session_ = SavedModelSession::Load(dir, {"serve"}, "", &status);
    if (session_ == nullptr) GTEST_SKIP() << "half_plus_two not loadable from " << dir << ": " << status.message();
    x_ = session_->ResolveEndpoint("x:0", &status);
    y_ = session_->ResolveEndpoint("y:0", &status);
    ASSERT_GE(x_, 0) << status.message();
    ASSERT_GE(y_, 0) << status.message();
  }

  // A call feeding `values` as a [rows, values.size() / rows] tensor of `dtype` (float or int32).
  std::unique_ptr<RunCall> Call(const std::vector<float>& values, int64_t rows, TF_DataType dtype = TF_FLOAT) {
    auto call = std::make_unique<RunCall>(session_.get());
    const size_t bytes = values.size() * 4;
    Status status;
    HostBuffer* buffer = HostBuffer::Create(bytes, &status);
    EXPECT_NE(buffer, nullptr) << status.message();
    for (size_t i = 0; i < values.size(); ++i) {
      if (dtype == TF_FLOAT) {
        std::memcpy(static_cast<char*>(buffer->data()) + 4 * i, &values[i], 4);
      } else {
        const int32_t v = static_cast<int32_t>(values[i]);
        std::memcpy(static_cast<char*>(buffer->data()) + 4 * i, &v, 4);
      }
    }
    const int64_t dims[] = {rows, static_cast<int64_t>(values.size()) / rows};
    Status added = call->AddInput(x_, dtype, dims, 2, buffer, 0, bytes);
    EXPECT_TRUE(added.ok()) << added.message();
    buffer->Unref();  // the call holds its own reference
    call->AddOutput(y_);
    return call;
  }

  // Runs every call on its own thread with its timeout, waits until all are queued, then runs
  // one forced batch and returns each call's status.
  std::vector<Status> RunOneBatch(BatchingSession* batching, std::vector<RunCall*> calls,
                                  std::vector<int64_t> timeouts_ms, std::chrono::milliseconds before = 0ms) {
    std::vector<Status> results(calls.size());
    std::vector<std::thread> clients;
    for (size_t i = 0; i < calls.size(); ++i) {
      clients.emplace_back([&, i] { results[i] = batching->Run(calls[i], timeouts_ms[i]); });
      while (batching->PendingTasks() < static_cast<int64_t>(i + 1)) std::this_thread::sleep_for(1ms);
    }
    std::this_thread::sleep_for(before);
    EXPECT_EQ(static_cast<int>(calls.size()), batching->ProcessOneBatch(true));
    for (auto& client : clients) client.join();
    return results;
  }

  static std::vector<float> Floats(RunCall* call, int output) {
    TF_Tensor* t = call->output(output);
    const float* data = static_cast<const float*>(TF_TensorData(t));
    return std::vector<float>(data, data + TF_TensorElementCount(t));
  }
  static std::vector<int64_t> Shape(RunCall* call, int output) {
    std::vector<int64_t> dims;
    for (int d = 0; d < TF_NumDims(call->output(output)); ++d) dims.push_back(TF_Dim(call->output(output), d));
    return dims;
  }

  BatchingOptions Options(std::vector<int64_t> allowed = {}, bool pad = false) {
    BatchingOptions options;
    options.queue.max_batch_size = 8;
    options.queue.batch_timeout_micros = 10'000'000;
    options.queue.max_enqueued_batches = 10;
    options.allowed_batch_sizes = std::move(allowed);
    options.pad_variable_length_inputs = pad;
    return options;
  }

  std::unique_ptr<SavedModelSession> session_;
  int x_ = -1;
  int y_ = -1;
};

TEST_F(BatchingSessionTest, MergesTasksPadsToAnAllowedSizeAndSplitsOutputsPerTask) {
  BatchingSession batching(session_.get(), Options({3, 6, 8}), nullptr);
  auto a = Call({1, 2, 3}, 1);
  auto b = Call({4, 5, 6, 7, 8, 9}, 2);
  auto c = Call({10, 11, 12}, 1);
  std::vector<Status> results = RunOneBatch(&batching, {a.get(), b.get(), c.get()}, {0, 0, 0});
  for (const Status& s : results) EXPECT_TRUE(s.ok()) << s.message();
  EXPECT_EQ((std::vector<int64_t>{1, 3}), Shape(a.get(), 0));
  EXPECT_EQ((std::vector<int64_t>{2, 3}), Shape(b.get(), 0));
  EXPECT_EQ((std::vector<float>{2.5f, 3, 3.5f}), Floats(a.get(), 0));
  EXPECT_EQ((std::vector<float>{4, 4.5f, 5, 5.5f, 6, 6.5f}), Floats(b.get(), 0));
  EXPECT_EQ((std::vector<float>{7, 7.5f, 8}), Floats(c.get(), 0));
  int first = 0;
  for (RunCall* call : {a.get(), b.get(), c.get()}) {
    EXPECT_EQ(4, call->batch_info().rows);
    EXPECT_EQ(6, call->batch_info().padded_rows);  // 4 rows -> next allowed size
    EXPECT_EQ(0, call->batch_info().run_timeout_ms) << "no deadline, no run timeout";
    first += call->batch_info().first_in_batch ? 1 : 0;
  }
  EXPECT_EQ(1, first);
  EXPECT_EQ(1, batching.stats().batches.load());
  EXPECT_EQ(3, batching.stats().tasks.load());
  EXPECT_EQ(4, batching.stats().rows.load());
  EXPECT_EQ(2, batching.stats().padding_rows.load());
}

TEST_F(BatchingSessionTest, VariableLengthInputsAreZeroPaddedToTheLargestRow) {
  BatchingSession batching(session_.get(), Options({}, /*pad=*/true), nullptr);
  auto narrow = Call({1, 2}, 1);
  auto wide = Call({1, 2, 3, 4, 5, 6}, 2);
  std::vector<Status> results = RunOneBatch(&batching, {narrow.get(), wide.get()}, {0, 0});
  for (const Status& s : results) EXPECT_TRUE(s.ok()) << s.message();
  EXPECT_EQ((std::vector<int64_t>{1, 3}), Shape(narrow.get(), 0)) << "outputs keep the padded shape";
  EXPECT_EQ((std::vector<float>{2.5f, 3, 2}), Floats(narrow.get(), 0)) << "0.5 * 0 + 2 in the padding";
  EXPECT_EQ((std::vector<float>{2.5f, 3, 3.5f, 4, 4.5f, 5}), Floats(wide.get(), 0));
  EXPECT_EQ(1, batching.stats().batches.load());
}

TEST_F(BatchingSessionTest, AFailingRunFinishesEveryTaskWithItsError) {
  BatchingSession batching(session_.get(), Options(), nullptr);
  auto a = Call({1, 2}, 1, TF_INT32);  // the graph wants float: TF_SessionRun fails
  auto b = Call({3, 4, 5, 6}, 2, TF_INT32);
  std::vector<Status> results = RunOneBatch(&batching, {a.get(), b.get()}, {0, 0});
  ASSERT_FALSE(results[0].ok());
  EXPECT_EQ(kInvalidArgument, results[0].code()) << results[0].message();
  EXPECT_EQ(results[0].code(), results[1].code());
  EXPECT_EQ(results[0].message(), results[1].message());
  EXPECT_EQ(0, a->num_outputs());
  EXPECT_EQ(0, b->num_outputs());
}

TEST_F(BatchingSessionTest, AnExpiredTaskIsNotRunAndTheBatchTimesOutAtTheEarliestDeadline) {
  BatchingSession batching(session_.get(), Options(), nullptr);
  auto expired = Call({1, 2}, 1);
  auto soon = Call({3, 4}, 1);
  auto later = Call({5, 6, 7, 8}, 2);
  std::vector<Status> results =
      RunOneBatch(&batching, {expired.get(), soon.get(), later.get()}, {1, 60'000, 120'000}, 30ms);
  EXPECT_EQ(kDeadlineExceeded, results[0].code());
  EXPECT_EQ(0, expired->num_outputs()) << "not run";
  ASSERT_TRUE(results[1].ok()) << results[1].message();
  ASSERT_TRUE(results[2].ok()) << results[2].message();
  EXPECT_EQ((std::vector<float>{3.5f, 4}), Floats(soon.get(), 0));
  EXPECT_EQ(3, soon->batch_info().rows) << "the expired task's row is not in the batch";
  const int64_t timeout = soon->batch_info().run_timeout_ms;
  EXPECT_GT(timeout, 59'000);
  EXPECT_LE(timeout, 60'000) << "the earliest deadline of the tasks run, not the later one";
  EXPECT_EQ(timeout, later->batch_info().run_timeout_ms);
  EXPECT_EQ(2, batching.stats().tasks.load());
}

TEST_F(BatchingSessionTest, ABatchOfExpiredTasksDoesNotRun) {
  BatchingSession batching(session_.get(), Options(), nullptr);
  auto a = Call({1, 2}, 1);
  auto b = Call({3, 4}, 1);
  std::vector<Status> results = RunOneBatch(&batching, {a.get(), b.get()}, {1, 1}, 30ms);
  EXPECT_EQ(kDeadlineExceeded, results[0].code());
  EXPECT_EQ(kDeadlineExceeded, results[1].code());
  EXPECT_EQ(0, batching.stats().batches.load());
}

TEST_F(BatchingSessionTest, ReloadedOptionsKeepQueuedCallsAndApplyToLaterBatches) {
  BatchingSession batching(session_.get(), Options({4, 8}), nullptr);
  auto a = Call({1, 2}, 1);
  Status a_result;
  std::thread client([&] { a_result = batching.Run(a.get(), 0); });
  while (batching.PendingTasks() < 1) std::this_thread::sleep_for(1ms);
  BatchingOptions reloaded = Options({2});
  reloaded.queue.max_batch_size = 2;
  reloaded.target_p99_latency_micros = 50'000;
  batching.UpdateOptions(reloaded);
  EXPECT_EQ(1, batching.ProcessOneBatch(true));
  client.join();
  ASSERT_TRUE(a_result.ok()) << a_result.message();
  EXPECT_EQ(2, a->batch_info().padded_rows) << "padded to the reloaded allowed size";
  EXPECT_EQ(2, a->batch_info().size_limit);
  auto big = Call({1, 2, 3, 4, 5, 6}, 3);
  EXPECT_EQ(kInvalidArgument, batching.Run(big.get(), 0).code()) << "the reloaded max_batch_size";
  BatchingState state = batching.state();
  EXPECT_TRUE(state.adaptive);
  EXPECT_EQ(0, state.timeout_micros) << "nothing measured yet: no waiting";
}

TEST_F(BatchingSessionTest, ALoneCallThatWouldRunAtOnceRunsUnmergedButCountsAsABatch) {
  auto threads = std::make_shared<BatchThreads>(1);
  BatchingOptions options = Options();
  options.queue.batch_timeout_micros = 0;
  BatchingSession batching(session_.get(), options, threads);
  auto a = Call({1, 2, 3}, 1);
  Status status = batching.Run(a.get(), 0);
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_EQ((std::vector<float>{2.5f, 3, 3.5f}), Floats(a.get(), 0));
  EXPECT_EQ(1, a->batch_info().rows);
  EXPECT_EQ(1, a->batch_info().padded_rows);
  EXPECT_TRUE(a->batch_info().first_in_batch);
  EXPECT_EQ(8, a->batch_info().size_limit);
  EXPECT_GT(a->batch_info().run_nanos, 0);
  EXPECT_EQ(0, a->batch_info().queued_nanos) << "it never queued (a merged call's wait includes its run)";
  EXPECT_EQ(1, batching.stats().batches.load());
  EXPECT_EQ(1, batching.stats().tasks.load());
  EXPECT_EQ(1, batching.stats().rows.load());
}

TEST_F(BatchingSessionTest, ALoneCallThatNeedsPaddingOrMayWaitIsBatched) {
  auto threads = std::make_shared<BatchThreads>(1);
  BatchingOptions padded = Options({2, 8});
  padded.queue.batch_timeout_micros = 0;
  BatchingSession batching(session_.get(), padded, threads);
  auto a = Call({1, 2, 3}, 1);
  ASSERT_TRUE(batching.Run(a.get(), 0).ok());
  EXPECT_EQ(2, a->batch_info().padded_rows) << "padded to the allowed size, as TF Serving does";
  EXPECT_GT(a->batch_info().queued_nanos, 0);
  EXPECT_EQ((std::vector<int64_t>{1, 3}), Shape(a.get(), 0));
  BatchingOptions waiting = Options();
  waiting.queue.batch_timeout_micros = 1000;
  batching.UpdateOptions(waiting);
  auto b = Call({1, 2, 3}, 1);
  ASSERT_TRUE(batching.Run(b.get(), 0).ok());
  EXPECT_EQ(1, b->batch_info().padded_rows);
  EXPECT_GT(b->batch_info().queued_nanos, 0) << "it joined a queue and waited for a batch";
  EXPECT_EQ((std::vector<float>{2.5f, 3, 3.5f}), Floats(b.get(), 0));
  EXPECT_EQ(2, batching.stats().batches.load());
}

}  // namespace
}  // namespace tessera
