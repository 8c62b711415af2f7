// JNI-facing facade (tessera/api.h), part one: the per-thread error message, TensorFlow's
// version, host buffers and SavedModel sessions. Batching, run calls and image graphs are in
// api_batching.cc, api_run_call.cc and api_image.cc; the exception fences in api_guard.h.
#include "tessera/api.h"

#include <sstream>
#include <string>
#include <vector>

#include "api_guard.h"
#include "tensorflow_c/tf_c_min.h"
#include "tessera/host_buffer.h"
#include "tessera/saved_model_session.h"
#include "tessera/tf_owners.h"

using tessera::Status;

namespace tessera_api {
namespace {

thread_local std::string t_last_error;
thread_local int t_last_error_code = 0;

}  // namespace

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

}  // namespace tessera_api
