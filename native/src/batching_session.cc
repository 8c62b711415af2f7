#include "tessera/batching_session.h"

#include <algorithm>
#include <new>

#include "tessera/batch_rows.h"
#include "tessera/host_buffer.h"

namespace tessera {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Counts a call's rows as in flight for as long as it is inside BatchingSession::Run.
class InFlight {
 public:
  InFlight(std::atomic<int64_t>* counter, int64_t rows) : counter_(counter), rows_(rows) { *counter_ += rows_; }
  ~InFlight() { *counter_ -= rows_; }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  std::atomic<int64_t>* const counter_;
  const int64_t rows_;
};

}  // namespace

BatchingSession::BatchingSession(SavedModelSession* session, BatchingOptions options,
                                 std::shared_ptr<BatchThreads> threads)
    : session_(session), threads_(std::move(threads)) {
  UpdateOptions(std::move(options));
  if (threads_) threads_->Add(this);
}

BatchingSession::~BatchingSession() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  if (threads_) threads_->Remove(this);  // waits for batches of ours still running on the pool
  for (auto& entry : queues_) {
    for (auto tasks = entry.second->TakeReady(true); !tasks.empty(); tasks = entry.second->TakeReady(true)) {
      for (Task* task : tasks) Finish(task, Status(kUnavailable, "batching session is shutting down"));
    }
  }
}

std::string BatchingSession::KeyOf(RunCall* call, const BatchingOptions& options, int64_t* rows) {
  const auto& values = call->input_values();
  if (values.empty()) return "";
  std::string key;
  *rows = -1;
  for (size_t i = 0; i < values.size(); ++i) {
    TF_Tensor* t = values[i];
    if (TF_TensorType(t) == TF_STRING || TF_NumDims(t) == 0) return "";
    if (*rows >= 0 && TF_Dim(t, 0) != *rows) return "";
    *rows = TF_Dim(t, 0);
    key += std::to_string(reinterpret_cast<uintptr_t>(call->inputs()[i].oper)) + ":" +
           std::to_string(call->inputs()[i].index) + "/" + std::to_string(TF_TensorType(t));
    key += "r" + std::to_string(TF_NumDims(t));
    if (!options.pad_variable_length_inputs) {
      for (int d = 1; d < TF_NumDims(t); ++d) key += "," + std::to_string(TF_Dim(t, d));
    }
    key += ";";
  }
  if (*rows <= 0) return "";
  key += "->";
  for (int id : call->output_endpoints()) key += std::to_string(id) + ",";
  return key;
}

Status BatchingSession::Run(RunCall* call, int64_t timeout_ms) {
  int64_t rows = 0;
  const std::shared_ptr<const BatchingOptions> options = this->options();
  std::string key = KeyOf(call, *options, &rows);
  if (key.empty() || !HasQueueFor(key)) return call->Run(/*caller_thread=*/true, timeout_ms);
  const SteadyClock::time_point deadline = timeout_ms > 0
      ? SteadyClock::now() + std::chrono::milliseconds(timeout_ms)
      : SteadyClock::time_point::max();
  InFlight counted(&in_flight_rows_, rows);
  if (options->split_large_requests && rows > options->queue.max_batch_size) {
    return RunSplit(call, *options, key, rows, deadline);
  }
  Status alone;
  if (RunAlone(call, key, rows, timeout_ms, &alone)) return alone;
  Task task;
  task.call = call;
  task.rows = rows;
  task.deadline = deadline;
  Status scheduled = Enqueue(&task, key);
  return scheduled.ok() ? Await(&task) : scheduled;
}

bool BatchingSession::HasQueueFor(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  return queues_.size() < kMaxQueues || queues_.count(key) > 0;
}

Status BatchingSession::Enqueue(Task* task, const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stop_) return Status(kUnavailable, "batching session is shutting down");
  auto& queue = queues_[key];
  if (!queue) {
    queue = std::make_unique<BatchQueue<Task>>(options_->queue);
    queue->SetLimits(applied_.max_batch_size, applied_.timeout_micros);
  }
  task->queue = queue.get();  // queues live as long as the session
  if (controller_) AdaptLocked(task->rows);
  return queue->Schedule(task);
}

Status BatchingSession::Await(Task* task) {
  // If the batch holding this task is ready now (e.g. batch_timeout_micros 0) and a processing slot
  // is free, run it on this thread: no hand-off to a batch thread and back.
  if (threads_ && threads_->TryClaimSlot()) {
    std::vector<Task*> ready = task->queue->TakeReady(false);
    if (!ready.empty()) {
      Process(ready);
    }
    threads_->ReleaseSlot();
  }
  bool finished;
  {
    std::lock_guard<std::mutex> lock(task->mu);
    finished = task->done;
  }
  if (!finished && threads_) threads_->Notify();  // a batch thread takes it (now or on its timeout)
  std::unique_lock<std::mutex> lock(task->mu);
  task->cv.wait(lock, [&] { return task->done; });
  return task->status;
}

int64_t BatchingSession::PendingTasks() {
  std::lock_guard<std::mutex> lock(mu_);
  int64_t n = 0;
  for (auto& entry : queues_) n += entry.second->PendingTasks();
  return n;
}

int BatchingSession::ProcessOneBatch(bool force) {
  std::vector<Task*> batch;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& entry : queues_) {
      batch = entry.second->TakeReady(force);
      if (!batch.empty()) break;
    }
  }
  if (!batch.empty()) Process(batch);
  return static_cast<int>(batch.size());
}

std::function<void()> BatchingSession::TakeReadyBatch(Clock::time_point* deadline) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stop_ || queues_.empty()) return {};
  auto it = queues_.begin();
  std::advance(it, next_queue_ % queues_.size());
  for (size_t i = 0; i < queues_.size(); ++i, ++it) {
    if (it == queues_.end()) it = queues_.begin();
    std::vector<Task*> batch = it->second->TakeReady(false);
    if (!batch.empty()) {
      next_queue_ += i + 1;
      return [this, batch = std::move(batch)] { Process(batch); };
    }
    *deadline = std::min(*deadline, it->second->NextDeadline());
  }
  return {};
}

int64_t BatchingSession::PaddedSize(const BatchingOptions& options, int64_t rows) {
  for (int64_t allowed : options.allowed_batch_sizes) {
    if (allowed >= rows) return allowed;
  }
  return rows;
}

// Finishes every task of a batch exactly once: Finish() as each one's result is known, and on
// destruction (any path out of Process, exceptions included) the rest with `failure`. A finished
// task may already be gone (its waiter owns it), so it is never touched again: which ones are
// settled is kept here, by position in the batch (tasks are only compared by address). If even
// that bookkeeping cannot be allocated, every task is failed at once and ok() is false.
class BatchingSession::Finisher {
 public:
  explicit Finisher(const std::vector<Task*>& batch)
      : batch_(batch), settled_(new (std::nothrow) bool[batch.size()]()) {
    if (!settled_) {
      for (Task* task : batch_) BatchingSession::Finish(task, Status(kResourceExhausted, "native out of memory"));
    }
  }
  ~Finisher() {
    for (size_t i = 0; settled_ && i < batch_.size(); ++i) {
      if (!settled_[i]) BatchingSession::Finish(batch_[i], failure_);
    }
  }
  Finisher(const Finisher&) = delete;
  Finisher& operator=(const Finisher&) = delete;

  bool ok() const { return settled_ != nullptr; }
  void Finish(Task* task, Status status) {
    for (size_t i = 0; settled_ && i < batch_.size(); ++i) {
      if (batch_[i] == task && !settled_[i]) {
        settled_[i] = true;
        BatchingSession::Finish(task, std::move(status));
        return;
      }
    }
  }
  void set_failure(Status status) { failure_ = std::move(status); }

 private:
  const std::vector<Task*>& batch_;
  const std::unique_ptr<bool[]> settled_;
  Status failure_{kInternal, "batch ended without a result"};
};

void BatchingSession::Process(const std::vector<Task*>& batch) {
  Finisher finisher(batch);
  if (!finisher.ok()) return;
  try {
    const SteadyClock::time_point now = SteadyClock::now();
    std::vector<Task*> live;
    SteadyClock::time_point earliest = SteadyClock::time_point::max();
    for (Task* task : batch) {
      if (task->deadline <= now) {
        finisher.Finish(task, Status(kDeadlineExceeded, "Deadline Exceeded"));
      } else {
        live.push_back(task);
        earliest = std::min(earliest, task->deadline);
      }
    }
    if (live.empty()) return;
    int64_t timeout_ms = 0;  // the earliest deadline, rounded up to whole ms
    if (earliest != SteadyClock::time_point::max()) {
      const int64_t left_us =
          std::chrono::duration_cast<std::chrono::microseconds>(earliest - now).count();
      timeout_ms = std::max<int64_t>(1, (left_us + 999) / 1000);
    }
    int64_t total = 0;
    for (Task* task : live) total += task->rows;
    std::shared_ptr<BatchController> controller;
    BatchSizing sizing;
    {
      std::lock_guard<std::mutex> lock(mu_);
      controller = controller_;
      sizing.padded = PaddedSize(*options_, total);
      sizing.limit = live.front()->queue->close_size();
    }
    sizing.total = total;
    stats_.batches++;
    stats_.tasks += static_cast<int64_t>(live.size());
    stats_.rows += total;
    stats_.padding_rows += sizing.padded - total;
    const SteadyClock::time_point started = SteadyClock::now();
    std::vector<int64_t> waits;
    if (controller) {
      for (Task* task : live) {
        waits.push_back(std::chrono::duration_cast<std::chrono::microseconds>(started - task->enqueued).count());
      }
    }
    Status status = RunMerged(live, sizing, timeout_ms, &finisher);
    if (controller && status.ok()) {
      const double run_micros =
          std::chrono::duration<double, std::micro>(SteadyClock::now() - started).count();
      controller->OnBatch(SteadyMicros(), sizing.padded, total, run_micros, waits);
    }
    if (!status.ok()) finisher.set_failure(std::move(status));
  } catch (const std::bad_alloc&) {
    finisher.set_failure(Status(kResourceExhausted, "native out of memory while batching"));
  } catch (const std::exception& e) {
    finisher.set_failure(Status(kInternal, e.what()));
  } catch (...) {
    finisher.set_failure(Status(kInternal, "unknown native exception while batching"));
  }
}  // ~Finisher: every task not finished above gets the failure

Status BatchingSession::RunMerged(const std::vector<Task*>& live, const BatchSizing& sizing,
                                  int64_t timeout_ms, Finisher* finisher) {
  const int64_t padded = sizing.padded;
  std::vector<TensorPtr> merged;
  const SteadyClock::time_point started = SteadyClock::now();
  Status status = MergeInputs(live, padded, &merged);
  if (!status.ok()) return status;
  std::vector<TensorPtr> outputs;
  status = RunBatch(live.front()->call, merged, timeout_ms, &outputs);
  if (!status.ok()) return status;
  status = CheckOutputs(outputs, padded);
  if (!status.ok()) return status;
  int64_t row = 0;
  const SteadyClock::time_point now = SteadyClock::now();
  for (Task* task : live) {
    std::vector<TensorPtr> mine;
    for (const TensorPtr& t : outputs) mine.push_back(SliceRows(t.get(), row, task->rows));
    row += task->rows;
    task->call->SetOutputs(std::move(mine));
    RunCall::BatchInfo info;
    info.rows = sizing.total;
    info.padded_rows = padded;
    info.size_limit = sizing.limit;
    info.run_nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(now - started).count();
    info.first_in_batch = task == live.front();
    info.queued_nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(now - task->enqueued).count();
    info.run_timeout_ms = timeout_ms;
    task->call->set_batch_info(info);
    finisher->Finish(task, Status::Ok());
  }
  return Status::Ok();
}

Status BatchingSession::MergeInputs(const std::vector<Task*>& live, int64_t padded,
                                    std::vector<TensorPtr>* merged) {
  const size_t num_inputs = live.front()->call->input_values().size();
  std::vector<TF_Tensor*> parts(live.size());
  for (size_t i = 0; i < num_inputs; ++i) {
    for (size_t k = 0; k < live.size(); ++k) parts[k] = live[k]->call->input_values()[i];
    TensorPtr one;
    Status status = MergeRows(parts, padded, &one);
    if (!status.ok()) return status;
    merged->push_back(std::move(one));
  }
  return Status::Ok();
}

Status BatchingSession::RunBatch(RunCall* first, const std::vector<TensorPtr>& merged,
                                 int64_t timeout_ms, std::vector<TensorPtr>* outputs) {
  std::vector<TF_Tensor*> feeds;
  for (const TensorPtr& t : merged) feeds.push_back(t.get());
  std::vector<TF_Output> fetches;
  for (int id : first->output_endpoints()) fetches.push_back(session_->endpoint(id));
  std::vector<TF_Tensor*> produced(fetches.size(), nullptr);
  // Caller-thread inter-op scheduling (the batch thread runs the graph; kernels still use the
  // intra-op pool): no extra hand-off per batch. The timeout is the direct path's RunOptions field.
  const std::string run_options_bytes = EncodeRunOptions(/*caller_thread=*/true, timeout_ms);
  TF_Buffer run_options{run_options_bytes.data(), run_options_bytes.size(), nullptr};
  StatusPtr tf_status = NewTfStatus();
  outputs->reserve(produced.size());  // so taking ownership below cannot throw
  TF_SessionRun(session_->tf_session(), &run_options, first->inputs().data(), feeds.data(),
                static_cast<int>(feeds.size()), fetches.data(), produced.data(),
                static_cast<int>(fetches.size()), nullptr, 0, nullptr, tf_status.get());
  for (TF_Tensor* t : produced) outputs->emplace_back(t);  // owned before anything else can fail
  if (TF_GetCode(tf_status.get()) != TF_OK) {
    return Status(static_cast<int>(TF_GetCode(tf_status.get())), TF_Message(tf_status.get()));
  }
  return Status::Ok();
}

Status BatchingSession::CheckOutputs(const std::vector<TensorPtr>& outputs, int64_t padded) {
  for (const TensorPtr& t : outputs) {
    if (t == nullptr || TF_NumDims(t.get()) == 0 || TF_Dim(t.get(), 0) != padded) {
      return Status(kFailedPrecondition,
                    "batched output does not have the batch size as its first dimension; "
                    "this signature cannot be batched");
    }
  }
  return Status::Ok();
}

void BatchingSession::Finish(Task* task, Status status) {
  std::lock_guard<std::mutex> lock(task->mu);
  task->status = std::move(status);
  task->done = true;
  task->cv.notify_all();
}

}  // namespace tessera
