// BatchingSession's calls that do not queue as one task (see batching_session.h): a lone call
// that runs at once, unmerged, and a request larger than max_batch_size split into chunks.
#include <algorithm>
#include <cstring>

#include "tessera/batch_rows.h"
#include "tessera/batching_session.h"

namespace tessera {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Chunk views borrow the request's own input memory, which outlives them.
void KeepMemory(void*, size_t, void*) {}

}  // namespace

bool BatchingSession::RunAlone(RunCall* call, const std::string& key, int64_t rows, int64_t timeout_ms,
                               Status* status) {
  if (!threads_ || !threads_->TryClaimSlot()) return false;
  std::shared_ptr<BatchController> controller;
  int64_t limit = 0;
  bool alone;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto queue = queues_.find(key);
    alone = !stop_ && applied_.timeout_micros == 0 && rows <= options_->queue.max_batch_size &&
            PaddedSize(*options_, rows) == rows && (queue == queues_.end() || queue->second->PendingTasks() == 0);
    if (alone) {
      if (controller_) AdaptLocked(rows);
      controller = controller_;
      limit = applied_.max_batch_size;
    }
  }
  if (!alone) {
    threads_->ReleaseSlot();
    return false;
  }
  const SteadyClock::time_point started = SteadyClock::now();
  *status = call->Run(/*caller_thread=*/true, timeout_ms);
  const SteadyClock::time_point ended = SteadyClock::now();
  threads_->ReleaseSlot();
  if (!status->ok()) return true;
  stats_.batches++;
  stats_.tasks++;
  stats_.rows += rows;
  if (controller) {
    controller->OnBatch(SteadyMicros(), rows, rows, std::chrono::duration<double, std::micro>(ended - started).count(),
                        {0});
  }
  RunCall::BatchInfo info;
  info.rows = rows;
  info.padded_rows = rows;
  info.size_limit = limit;
  info.run_nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(ended - started).count();
  info.first_in_batch = true;
  info.run_timeout_ms = timeout_ms > 0 ? timeout_ms : 0;
  call->set_batch_info(info);
  return true;
}

// The chunks are enqueued together, so they run in parallel batches when threads are free.
Status BatchingSession::RunSplit(RunCall* call, const BatchingOptions& options, const std::string& key,
                                 int64_t rows, SteadyClock::time_point deadline) {
  const int64_t chunk = options.max_execution_batch_size > 0
                            ? std::min(options.max_execution_batch_size, options.queue.max_batch_size)
                            : options.queue.max_batch_size;
  std::vector<std::unique_ptr<RunCall>> parts;
  for (int64_t start = 0; start < rows; start += chunk) {
    const int64_t n = std::min(chunk, rows - start);
    auto part = std::make_unique<RunCall>(session_);
    for (size_t i = 0; i < call->input_values().size(); ++i) {
      TF_Tensor* whole = call->input_values()[i];
      const int64_t row_bytes = RowBytes(whole);
      std::vector<int64_t> dims = DimsWithRows(whole, n);
      TensorPtr view(TF_NewTensor(TF_TensorType(whole), dims.data(), static_cast<int>(dims.size()),
                                  static_cast<char*>(TF_TensorData(whole)) + start * row_bytes,
                                  static_cast<size_t>(n * row_bytes), KeepMemory, nullptr));
      if (view == nullptr) return Status(kInternal, "TensorFlow rejected a chunk of a split request");
      part->AddInputTensor(call->inputs()[i], std::move(view));
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
    task->deadline = deadline;
    status = Enqueue(task.get(), key);
    if (!status.ok()) break;
    tasks.push_back(std::move(task));
  }
  for (auto& task : tasks) {  // every enqueued chunk is awaited: the tasks live on this frame
    Status awaited = Await(task.get());
    if (status.ok() && !awaited.ok()) status = awaited;
  }
  if (!status.ok()) return status;
  std::vector<TensorPtr> joined;
  for (int o = 0; o < parts.front()->num_outputs(); ++o) {
    TF_Tensor* first = parts.front()->output(o);
    std::vector<int64_t> dims = DimsWithRows(first, rows);
    const TF_DataType dtype = TF_TensorType(first);
    size_t bytes = 0;
    for (auto& part : parts) bytes += TF_TensorByteSize(part->output(o));
    TensorPtr out(TF_AllocateTensor(dtype, dims.data(), static_cast<int>(dims.size()), bytes));
    char* at = static_cast<char*>(TF_TensorData(out.get()));
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
    joined.push_back(std::move(out));
  }
  call->SetOutputs(std::move(joined));
  return Status::Ok();
}

}  // namespace tessera
