// JNI-facing facade: argument checks, exception fences and the per-thread error message.
#include "tessera/api.h"

#include <exception>
#include <new>
#include <sstream>
#include <string>
#include <vector>

#include "tensorflow_c/tf_c_min.h"
#include "tessera/abi.h"
#include "tessera/batch_threads.h"
#include "tessera/batching_session.h"
#include "tessera/host_buffer.h"
#include "tessera/image_graph.h"
#include "tessera/run_call.h"
#include "tessera/saved_model_session.h"
#include "tessera/tf_owners.h"

using tessera::Status;

namespace tessera_api {
namespace {

thread_local std::string t_last_error;
thread_local int t_last_error_code = 0;

int Fail(const Status& status) {
  t_last_error_code = status.code();
  try {
    t_last_error = status.message();
  } catch (...) {  // no memory for the message: the code alone must do
    t_last_error.clear();
  }
  return status.code();
}

int Fail(int code, const char* message) { return Fail(Status(code, message)); }

template <typename Fn>
int Guarded(Fn&& fn) {
  try {
    return fn();
  } catch (const std::bad_alloc&) {
    return Fail(tessera::kResourceExhausted, "native out of memory");
  } catch (const std::exception& e) {
    return Fail(tessera::kInternal, e.what());
  } catch (...) {
    return Fail(tessera::kInternal, "unknown native exception");
  }
}

// The fence for functions that return a value rather than a status: `fallback` when fn throws.
template <typename T, typename Fn>
T GuardedOr(T fallback, Fn&& fn) {
  T result = fallback;
  Guarded([&] {
    result = fn();
    return 0;
  });
  return result;
}

template <typename Fn>
void GuardedVoid(Fn&& fn) {
  Guarded([&] {
    fn();
    return 0;
  });
}

bool ValidOutput(tessera::RunCall* call, int index) {
  return call != nullptr && index >= 0 && index < call->num_outputs() &&
         call->output(index) != nullptr;
}

}  // namespace

const char* tessera_last_error() { return t_last_error.c_str(); }
int tessera_last_error_code() { return t_last_error_code; }
const char* tf_version() { return GuardedOr<const char*>(nullptr, [] { return TF_Version(); }); }

tessera::HostBuffer* host_buffer_create(int64_t bytes) {
  tessera::HostBuffer* result = nullptr;
  Guarded([&] {
    if (bytes < 0) return Fail(tessera::kInvalidArgument, "negative buffer size");
    Status status;
    result = tessera::HostBuffer::Create(static_cast<size_t>(bytes), &status);
    return result == nullptr ? Fail(status) : 0;
  });
  return result;
}

void host_buffer_unref(tessera::HostBuffer* buffer) {
  GuardedVoid([&] {
    if (buffer != nullptr) buffer->Unref();
  });
}
void* host_buffer_data(tessera::HostBuffer* buffer) {
  return GuardedOr<void*>(nullptr, [&] { return buffer->data(); });
}
int64_t live_host_buffer_bytes() {
  return GuardedOr<int64_t>(-1, [] { return tessera::LiveHostBufferBytes(); });
}
const char* host_allocator_name() {
  return GuardedOr<const char*>("", [] { return tessera::DefaultHostAllocator()->name(); });
}
const char* host_allocator_reason() {
  return GuardedOr<const char*>("", [] { return tessera::HostAllocatorReason(); });
}

tessera::SavedModelSession* session_load(const char* export_dir, const char* tags_csv,
                                         const char* config, int64_t config_len) {
  tessera::SavedModelSession* result = nullptr;
  Guarded([&] {
    if (export_dir == nullptr) return Fail(tessera::kInvalidArgument, "no export dir");
    std::vector<std::string> tags;
    std::stringstream csv(tags_csv == nullptr ? "" : tags_csv);
    for (std::string tag; std::getline(csv, tag, ',');) {
      if (!tag.empty()) tags.push_back(tag);
    }
    std::string config_bytes;
    if (config != nullptr && config_len > 0) config_bytes.assign(config, config_len);
    Status status;
    result = tessera::SavedModelSession::Load(export_dir, tags, config_bytes, &status).release();
    return result == nullptr ? Fail(status) : 0;
  });
  return result;
}

void session_free(tessera::SavedModelSession* session) {
  GuardedVoid([&] { delete session; });
}

int64_t session_meta_graph_size(tessera::SavedModelSession* session) {
  return GuardedOr<int64_t>(-1, [&] { return static_cast<int64_t>(session->meta_graph_def().size()); });
}

int session_take_meta_graph(tessera::SavedModelSession* session, void* out) {
  return Guarded([&] {
    const std::string& bytes = session->meta_graph_def();
    std::copy(bytes.begin(), bytes.end(), static_cast<char*>(out));
    session->DropMetaGraphDef();
    return 0;
  });
}

int session_resolve_endpoint(tessera::SavedModelSession* session, const char* tensor_name) {
  int id = -1;
  int code = Guarded([&] {
    Status status;
    id = session->ResolveEndpoint(tensor_name, &status);
    return id < 0 ? Fail(status) : 0;
  });
  return code == 0 ? id : -1;
}

int session_endpoint_shape(tessera::SavedModelSession* session, int endpoint, int64_t* out,
                           int capacity) {
  return Guarded([&] {
    if (session == nullptr || out == nullptr || capacity < 2 || endpoint < 0) {
      return Fail(tessera::kInvalidArgument, "invalid endpoint shape query");
    }
    const TF_Output tensor = session->endpoint(endpoint);  // throws std::out_of_range if unknown
    const std::string op_type = TF_OperationOpType(tensor.oper);
    out[0] = op_type == "Placeholder" || op_type == "PlaceholderWithDefault" ? 1 : 0;
    tessera::StatusPtr tf_status = tessera::NewTfStatus();
    const int rank = TF_GraphGetTensorNumDims(session->tf_graph(), tensor, tf_status.get());
    if (TF_GetCode(tf_status.get()) != TF_OK) {
      return Fail(static_cast<int>(TF_GetCode(tf_status.get())), TF_Message(tf_status.get()));
    }
    out[1] = rank;
    if (rank <= 0) return 0;
    if (rank > capacity - 2) return Fail(tessera::kInvalidArgument, "graph tensor rank exceeds capacity");
    TF_GraphGetTensorShape(session->tf_graph(), tensor, out + 2, rank, tf_status.get());
    if (TF_GetCode(tf_status.get()) != TF_OK) {
      return Fail(static_cast<int>(TF_GetCode(tf_status.get())), TF_Message(tf_status.get()));
    }
    return 0;
  });
}

int session_device_count(tessera::SavedModelSession* session) {
  return GuardedOr(-1, [&] { return static_cast<int>(session->devices().size()); });
}

const char* session_device_name(tessera::SavedModelSession* session, int index) {
  return GuardedOr<const char*>(nullptr, [&]() -> const char* {
    const auto& devices = session->devices();
    if (index < 0 || static_cast<size_t>(index) >= devices.size()) {
      Fail(tessera::kInvalidArgument, "no such device index");
      return nullptr;
    }
    return devices[static_cast<size_t>(index)].c_str();
  });
}

tessera::BatchThreadsRef* batch_threads_create(int num_threads) {
  tessera::BatchThreadsRef* result = nullptr;
  Guarded([&] {
    result = new tessera::BatchThreadsRef{std::make_shared<tessera::BatchThreads>(num_threads)};
    return 0;
  });
  return result;
}

void batch_threads_free(tessera::BatchThreadsRef* threads) {
  GuardedVoid([&] { delete threads; });
}

tessera::BatchingSession* batching_session_create(tessera::SavedModelSession* session,
                                                  tessera::BatchThreadsRef* threads,
                                                  int64_t max_batch_size, int64_t batch_timeout_micros,
                                                  int64_t max_enqueued_batches,
                                                  const int64_t* allowed_batch_sizes, int num_allowed,
                                                  bool split_large_requests, int64_t max_execution_batch_size,
                                                  bool pad_variable_length_inputs) {
  tessera::BatchingSession* result = nullptr;
  Guarded([&] {
    tessera::BatchingOptions options;
    options.queue.max_batch_size = max_batch_size;
    options.queue.batch_timeout_micros = batch_timeout_micros;
    options.queue.max_enqueued_batches = max_enqueued_batches;
    for (int i = 0; i < num_allowed; ++i) options.allowed_batch_sizes.push_back(allowed_batch_sizes[i]);
    options.split_large_requests = split_large_requests;
    options.max_execution_batch_size = max_execution_batch_size;
    options.pad_variable_length_inputs = pad_variable_length_inputs;
    result = new tessera::BatchingSession(session, options,
                                          threads == nullptr ? nullptr : threads->threads);
    return 0;
  });
  return result;
}

void batching_session_free(tessera::BatchingSession* batching) {
  GuardedVoid([&] { delete batching; });
}

int64_t batching_session_pending(tessera::BatchingSession* batching) {
  return GuardedOr<int64_t>(-1, [&] { return batching->PendingTasks(); });
}

int batching_session_process_one(tessera::BatchingSession* batching, bool force) {
  int processed = 0;
  Guarded([&] {
    processed = batching->ProcessOneBatch(force);
    return 0;
  });
  return processed;
}

int batching_session_run(tessera::BatchingSession* batching, tessera::RunCall* call,
                         int64_t timeout_ms) {
  return Guarded([&] {
    Status status = batching->Run(call, timeout_ms);
    if (!status.ok()) return Fail(status);
    call->WriteLayout();
    return 0;
  });
}

int64_t batching_session_stat(tessera::BatchingSession* batching, int which) {
  return GuardedOr<int64_t>(-1, [&]() -> int64_t {
    const tessera::BatchingStats& s = batching->stats();
    switch (which) {
      case tessera_abi::kStatBatches: return s.batches.load();
      case tessera_abi::kStatTasks: return s.tasks.load();
      case tessera_abi::kStatRows: return s.rows.load();
      case tessera_abi::kStatPaddingRows: return s.padding_rows.load();
      default:
        Fail(tessera::kInvalidArgument, "unknown batching stat");
        return -1;
    }
  });
}

tessera::RunCall* run_call_create(tessera::SavedModelSession* session) {
  return GuardedOr<tessera::RunCall*>(nullptr, [&] { return new tessera::RunCall(session); });
}

void run_call_free(tessera::RunCall* call) {
  GuardedVoid([&] { delete call; });
}

int run_call_add_input(tessera::RunCall* call, int endpoint, int dtype, const int64_t* dims,
                       int num_dims, tessera::HostBuffer* buffer, int64_t offset, int64_t bytes) {
  return Guarded([&] {
    if (buffer == nullptr || offset < 0 || bytes < 0) {
      return Fail(tessera::kInvalidArgument, "invalid input buffer");
    }
    Status status = call->AddInput(endpoint, dtype, dims, num_dims, buffer,
                                   static_cast<size_t>(offset), static_cast<size_t>(bytes));
    return status.ok() ? 0 : Fail(status);
  });
}

int run_call_add_string_input(tessera::RunCall* call, int endpoint, const int64_t* dims,
                              int num_dims, const void* blob, const int64_t* lengths,
                              int64_t count) {
  return Guarded([&] {
    Status status = call->AddStringInput(endpoint, dims, num_dims,
                                         static_cast<const char*>(blob), lengths, count);
    return status.ok() ? 0 : Fail(status);
  });
}

int run_call_add_output(tessera::RunCall* call, int endpoint) {
  return Guarded([&] {
    call->AddOutput(endpoint);
    return 0;
  });
}

int run_call_run(tessera::RunCall* call, bool caller_thread, int64_t timeout_ms) {
  return Guarded([&] {
    Status status = call->Run(caller_thread, timeout_ms);
    if (!status.ok()) return Fail(status);
    call->WriteLayout();
    return 0;
  });
}

void run_call_reset(tessera::RunCall* call) {
  GuardedVoid([&] { call->Reset(); });
}

const void* run_call_layout(tessera::RunCall* call) {
  return GuardedOr<const void*>(nullptr, [&] { return call->layout(); });
}

int64_t run_call_layout_bytes() { return tessera_abi::kLayoutSlots * sizeof(int64_t); }

int64_t run_call_batch_info(tessera::RunCall* call, int which) {
  return GuardedOr<int64_t>(-1, [&]() -> int64_t {
    const tessera::RunCall::BatchInfo& info = call->batch_info();
    switch (which) {
      case tessera_abi::kBatchInfoRows: return info.rows;
      case tessera_abi::kBatchInfoPaddedRows: return info.padded_rows;
      case tessera_abi::kBatchInfoFirstInBatch: return info.first_in_batch ? 1 : 0;
      case tessera_abi::kBatchInfoQueuedNanos: return info.queued_nanos;
      default:
        Fail(tessera::kInvalidArgument, "unknown batch info field");
        return -1;
    }
  });
}

int run_call_output_dtype(tessera::RunCall* call, int index) {
  return GuardedOr(-1, [&] { return ValidOutput(call, index) ? TF_TensorType(call->output(index)) : -1; });
}

int run_call_output_num_dims(tessera::RunCall* call, int index) {
  return GuardedOr(-1, [&] { return ValidOutput(call, index) ? TF_NumDims(call->output(index)) : -1; });
}

int64_t run_call_output_dim(tessera::RunCall* call, int index, int dim) {
  return GuardedOr<int64_t>(-1, [&]() -> int64_t {
    if (!ValidOutput(call, index) || dim < 0 || dim >= TF_NumDims(call->output(index))) return -1;
    return TF_Dim(call->output(index), dim);
  });
}

int64_t run_call_output_bytes(tessera::RunCall* call, int index) {
  return GuardedOr<int64_t>(-1, [&]() -> int64_t {
    return ValidOutput(call, index) ? static_cast<int64_t>(TF_TensorByteSize(call->output(index))) : -1;
  });
}

void* run_call_output_data(tessera::RunCall* call, int index) {
  return GuardedOr<void*>(nullptr, [&] {
    return ValidOutput(call, index) ? TF_TensorData(call->output(index)) : nullptr;
  });
}

namespace {
bool ValidStringElement(tessera::RunCall* call, int index, int64_t element) {
  return ValidOutput(call, index) && TF_TensorType(call->output(index)) == TF_STRING &&
         element >= 0 && element < TF_TensorElementCount(call->output(index));
}
}  // namespace

int64_t run_call_output_string_size(tessera::RunCall* call, int index, int64_t element) {
  return GuardedOr<int64_t>(-1, [&]() -> int64_t {
    if (!ValidStringElement(call, index, element)) return -1;
    size_t size = 0;
    call->OutputString(index, element, &size);
    return static_cast<int64_t>(size);
  });
}

const void* run_call_output_string_data(tessera::RunCall* call, int index, int64_t element) {
  return GuardedOr<const void*>(nullptr, [&]() -> const void* {
    if (!ValidStringElement(call, index, element)) return nullptr;
    size_t size = 0;
    return call->OutputString(index, element, &size);
  });
}

tessera::ImageGraph* image_graph_create(int height, int width, bool bgr, bool uint8_output,
                                        const float* multiplier, const float* addend) {
  tessera::ImageGraph* result = nullptr;
  Guarded([&] {
    if (multiplier == nullptr || addend == nullptr) {
      return Fail(tessera::kInvalidArgument, "image graph: no value mapping");
    }
    tessera::ImageGraphSpec spec;
    spec.height = height;
    spec.width = width;
    spec.bgr = bgr;
    spec.uint8_output = uint8_output;
    for (int c = 0; c < 3; ++c) {
      spec.multiplier[c] = multiplier[c];
      spec.addend[c] = addend[c];
    }
    Status status;
    result = tessera::ImageGraph::Create(spec, &status).release();
    return result == nullptr ? Fail(status) : 0;
  });
  return result;
}

void image_graph_free(tessera::ImageGraph* graph) {
  GuardedVoid([&] { delete graph; });
}

int image_graph_run(tessera::ImageGraph* graph, const void* encoded, int64_t encoded_bytes,
                    const int32_t* window, int64_t timeout_ms, tessera::HostBuffer* out,
                    int64_t offset, int64_t bytes) {
  return Guarded([&] {
    if (graph == nullptr || encoded == nullptr || window == nullptr || out == nullptr ||
        encoded_bytes < 0 || offset < 0 || bytes < 0 ||
        static_cast<uint64_t>(offset) + static_cast<uint64_t>(bytes) > out->size()) {
      return Fail(tessera::kInvalidArgument, "image graph: bad arguments");
    }
    tessera::ImageWindow w;
    w.flip_rows = window[0] != 0;
    w.flip_columns = window[1] != 0;
    w.transpose = window[2] != 0;
    w.top = window[3];
    w.left = window[4];
    w.height = window[5];
    w.width = window[6];
    Status status = graph->Run(encoded, static_cast<size_t>(encoded_bytes), w, timeout_ms,
                               static_cast<char*>(out->data()) + offset, static_cast<size_t>(bytes));
    return status.ok() ? 0 : Fail(status);
  });
}

}  // namespace tessera_api
