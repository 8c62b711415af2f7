#include "tessera/batching_session.h"

#include <algorithm>
#include <cstring>

#include "tessera/batch_rows.h"
#include "tessera/host_buffer.h"

namespace tessera {
namespace {

void ReleaseBatchBuffer(void*, size_t, void* arg) { static_cast<HostBuffer*>(arg)->Unref(); }

// Chunk views borrow the request's own input memory, which outlives them.
void KeepMemory(void*, size_t, void*) {}

}  // namespace

BatchingSession::BatchingSession(SavedModelSession* session, BatchingOptions options,
                                 std::shared_ptr<BatchThreads> threads)
    : session_(session), options_(std::move(options)), threads_(std::move(threads)) {
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

std::string BatchingSession::KeyOf(RunCall* call, int64_t* rows) const {
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
    if (!options_.pad_variable_length_inputs) {
      for (int d = 1; d < TF_NumDims(t); ++d) key += "," + std::to_string(TF_Dim(t, d));
    }
    key += ";";
  }
  if (*rows <= 0) return "";
  key += "->";
  for (int id : call->output_endpoints()) key += std::to_string(id) + ",";
  return key;
}

Status BatchingSession::Run(RunCall* call) {
  int64_t rows = 0;
  std::string key = KeyOf(call, &rows);
  if (key.empty() || !HasQueueFor(key)) return call->Run(/*caller_thread=*/true, 0);
  if (options_.split_large_requests && rows > options_.queue.max_batch_size) return RunSplit(call, key, rows);
  Task task;
  task.call = call;
  task.rows = rows;
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
  if (!queue) queue = std::make_unique<BatchQueue<Task>>(options_.queue);
  task->queue = queue.get();  // queues live as long as the session
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

// The chunks are enqueued together, so they run in parallel batches when threads are free.
Status BatchingSession::RunSplit(RunCall* call, const std::string& key, int64_t rows) {
  const int64_t chunk = options_.max_execution_batch_size > 0
                            ? std::min(options_.max_execution_batch_size, options_.queue.max_batch_size)
                            : options_.queue.max_batch_size;
  std::vector<std::unique_ptr<RunCall>> parts;
  for (int64_t start = 0; start < rows; start += chunk) {
    const int64_t n = std::min(chunk, rows - start);
    auto part = std::make_unique<RunCall>(session_);
    for (size_t i = 0; i < call->input_values().size(); ++i) {
      TF_Tensor* whole = call->input_values()[i];
      const int64_t row_bytes = RowBytes(whole);
      std::vector<int64_t> dims = DimsWithRows(whole, n);
      part->AddInputTensor(call->inputs()[i],
                           TF_NewTensor(TF_TensorType(whole), dims.data(), static_cast<int>(dims.size()),
                                        static_cast<char*>(TF_TensorData(whole)) + start * row_bytes,
                                        static_cast<size_t>(n * row_bytes), KeepMemory, nullptr));
    }
    for (int id : call->output_endpoints()) part->AddOutput(id);
    parts.push_back(std::move(part));
  }
  std::vector<std::unique_ptr<Task>> tasks;
  Status status;
  for (auto& part : parts) {  // each chunk joins whatever batch it fits
    auto task = std::make_unique<Task>();
    task->call = part.get();
    task->rows = TF_Dim(part->input_values().front(), 0);
    status = Enqueue(task.get(), key);
    if (!status.ok()) break;
    tasks.push_back(std::move(task));
  }
  for (auto& task : tasks) {  // every enqueued chunk is awaited: the tasks live on this frame
    Status awaited = Await(task.get());
    if (status.ok() && !awaited.ok()) status = awaited;
  }
  if (!status.ok()) return status;
  std::vector<TF_Tensor*> joined;
  for (int o = 0; o < parts.front()->num_outputs(); ++o) {
    TF_Tensor* first = parts.front()->output(o);
    std::vector<int64_t> dims = DimsWithRows(first, rows);
    const TF_DataType dtype = TF_TensorType(first);
    size_t bytes = 0;
    for (auto& part : parts) bytes += TF_TensorByteSize(part->output(o));
    TF_Tensor* out = TF_AllocateTensor(dtype, dims.data(), static_cast<int>(dims.size()), bytes);
    char* at = static_cast<char*>(TF_TensorData(out));
    for (auto& part : parts) {
      TF_Tensor* piece = part->output(o);
      if (dtype == TF_STRING) {
        auto* src = static_cast<TF_TString*>(TF_TensorData(piece));
        auto* dst = reinterpret_cast<TF_TString*>(at);
        for (int64_t e = 0; e < TF_TensorElementCount(piece); ++e) {
          TF_StringInit(&dst[e]);
          TF_StringCopy(&dst[e], TF_StringGetDataPointer(&src[e]), TF_StringGetSize(&src[e]));
        }
      } else {
        std::memcpy(at, TF_TensorData(piece), TF_TensorByteSize(piece));
      }
      at += TF_TensorByteSize(piece);
    }
    joined.push_back(out);
  }
  call->SetOutputs(std::move(joined));
  return Status::Ok();
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

int64_t BatchingSession::PaddedSize(int64_t rows) const {
  for (int64_t allowed : options_.allowed_batch_sizes) {
    if (allowed >= rows) return allowed;
  }
  return rows;
}

void BatchingSession::Process(const std::vector<Task*>& batch) {
  int64_t total = 0;
  for (Task* task : batch) total += task->rows;
  const int64_t padded = PaddedSize(total);
  Status status;
  try {
    status = RunMerged(batch, total, padded);
  } catch (const std::exception& e) {
    status = Status(kInternal, e.what());
  }
  stats_.batches++;
  stats_.tasks += static_cast<int64_t>(batch.size());
  stats_.rows += total;
  stats_.padding_rows += padded - total;
  if (!status.ok()) {
    for (Task* task : batch) Finish(task, status);
  }
}

Status BatchingSession::RunMerged(const std::vector<Task*>& batch, int64_t total, int64_t padded) {
  RunCall* first = batch.front()->call;
  const size_t num_inputs = first->input_values().size();
  std::vector<TF_Tensor*> merged;
  for (size_t i = 0; i < num_inputs; ++i) {
    TF_Tensor* sample = first->input_values()[i];
    // Non-batch dims of the merged input: the largest of the batch (all equal without padding).
    std::vector<int64_t> row_dims;
    for (int d = 1; d < TF_NumDims(sample); ++d) {
      int64_t largest = 0;
      for (Task* task : batch) largest = std::max(largest, TF_Dim(task->call->input_values()[i], d));
      row_dims.push_back(largest);
    }
    const size_t element_size = TF_DataTypeSize(TF_TensorType(sample));
    int64_t row_elements = 1;
    for (int64_t d : row_dims) row_elements *= d;
    const int64_t row_bytes = row_elements * static_cast<int64_t>(element_size);
    Status status;
    HostBuffer* buffer = HostBuffer::Create(static_cast<size_t>(padded * row_bytes), &status);
    if (buffer == nullptr) {
      for (TF_Tensor* t : merged) TF_DeleteTensor(t);
      return status;
    }
    char* out = static_cast<char*>(buffer->data());
    for (Task* task : batch) {
      TF_Tensor* t = task->call->input_values()[i];
      const size_t bytes = TF_TensorByteSize(t);
      if (static_cast<int64_t>(bytes) == task->rows * row_bytes || row_dims.empty()) {
        std::memcpy(out, TF_TensorData(t), bytes);
      } else {  // smaller than the batch's row shape: zero-pad each row
        std::memset(out, 0, static_cast<size_t>(task->rows * row_bytes));
        std::vector<int64_t> from;
        for (int d = 1; d < TF_NumDims(t); ++d) from.push_back(TF_Dim(t, d));
        const size_t task_row_bytes = bytes / static_cast<size_t>(task->rows);
        for (int64_t r = 0; r < task->rows; ++r) {
          CopyPaddedRow(static_cast<const char*>(TF_TensorData(t)) + r * task_row_bytes,
                        out + r * row_bytes, from, row_dims, 0, element_size);
        }
      }
      out += task->rows * row_bytes;
    }
    for (int64_t pad = total; pad < padded; ++pad) {  // padding rows repeat the first row
      std::memcpy(out, buffer->data(), static_cast<size_t>(row_bytes));
      out += row_bytes;
    }
    std::vector<int64_t> dims = {padded};
    dims.insert(dims.end(), row_dims.begin(), row_dims.end());
    merged.push_back(TF_NewTensor(TF_TensorType(sample), dims.data(), static_cast<int>(dims.size()),
                                  buffer->data(), static_cast<size_t>(padded * row_bytes),
                                  ReleaseBatchBuffer, buffer));
  }
  std::vector<TF_Output> fetches;
  for (int id : first->output_endpoints()) fetches.push_back(session_->endpoint(id));
  std::vector<TF_Tensor*> outputs(fetches.size(), nullptr);
  // Caller-thread inter-op scheduling (the batch thread runs the graph; kernels still use the
  // intra-op pool): no extra hand-off per batch.
  static const std::string kRunOptions = EncodeRunOptions(/*caller_thread=*/true, 0);
  TF_Buffer run_options{kRunOptions.data(), kRunOptions.size(), nullptr};
  TF_Status* tf_status = TF_NewStatus();
  TF_SessionRun(session_->tf_session(), &run_options, first->inputs().data(), merged.data(),
                static_cast<int>(merged.size()), fetches.data(), outputs.data(),
                static_cast<int>(fetches.size()), nullptr, 0, nullptr, tf_status);
  for (TF_Tensor* t : merged) TF_DeleteTensor(t);
  Status status = TF_GetCode(tf_status) == TF_OK
                      ? Status::Ok()
                      : Status(static_cast<int>(TF_GetCode(tf_status)), TF_Message(tf_status));
  TF_DeleteStatus(tf_status);
  for (TF_Tensor* t : outputs) {
    if (status.ok() && (t == nullptr || TF_NumDims(t) == 0 || TF_Dim(t, 0) != padded)) {
      status = Status(kFailedPrecondition,
                      "batched output does not have the batch size as its first dimension; "
                      "this signature cannot be batched");
    }
  }
  if (status.ok()) {
    int64_t row = 0;
    const auto now = std::chrono::steady_clock::now();
    for (Task* task : batch) {
      std::vector<TF_Tensor*> mine;
      for (TF_Tensor* t : outputs) mine.push_back(SliceRows(t, row, task->rows));
      row += task->rows;
      task->call->SetOutputs(std::move(mine));
      RunCall::BatchInfo info;
      info.rows = total;
      info.padded_rows = padded;
      info.first_in_batch = task == batch.front();
      info.queued_nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(now - task->enqueued).count();
      task->call->set_batch_info(info);
      Finish(task, Status::Ok());
    }
  }
  for (TF_Tensor* t : outputs) {
    if (t != nullptr) TF_DeleteTensor(t);
  }
  return status;
}

void BatchingSession::Finish(Task* task, Status status) {
  std::lock_guard<std::mutex> lock(task->mu);
  task->status = std::move(status);
  task->done = true;
  task->cv.notify_all();
}

}  // namespace tessera
