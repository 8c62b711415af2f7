// JNI-facing facade (tessera/api.h): run calls (feeds, the run, outputs).
#include <cstdint>

#include "api_guard.h"
#include "tessera/abi.h"
#include "tessera/api.h"
#include "tessera/run_call.h"

using tessera::Status;

namespace tessera_api {
namespace {

bool ValidOutput(tessera::RunCall* call, int index) {
  return call != nullptr && index >= 0 && index < call->num_outputs() &&
         call->output(index) != nullptr;
}

}  // namespace

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
    call->ResetIfRequested();
    Status status = call->AddInput(endpoint, dtype, dims, num_dims, buffer,
                                   static_cast<size_t>(offset), static_cast<size_t>(bytes));
    call->PublishHeld();
    return status.ok() ? 0 : Fail(status);
  });
}

int run_call_add_string_input(tessera::RunCall* call, int endpoint, const int64_t* dims,
                              int num_dims, const void* blob, const int64_t* lengths,
                              int64_t count) {
  return Guarded([&] {
    call->ResetIfRequested();
    Status status = call->AddStringInput(endpoint, dims, num_dims,
                                         static_cast<const char*>(blob), lengths, count);
    call->PublishHeld();
    return status.ok() ? 0 : Fail(status);
  });
}

int run_call_add_output(tessera::RunCall* call, int endpoint) {
  return Guarded([&] {
    call->ResetIfRequested();
    call->AddOutput(endpoint);
    return 0;
  });
}

int run_call_take_staged(tessera::RunCall* call) {
  return Guarded([&] {
    Status status = call->TakeStagedFeeds();
    call->PublishHeld();
    return status.ok() ? 0 : Fail(status);
  });
}

int run_call_run(tessera::RunCall* call, bool caller_thread, int64_t timeout_ms) {
  return Guarded([&] {
    Status status = call->RunStaged([&] { return call->Run(caller_thread, timeout_ms); });
    return status.ok() ? 0 : Fail(status);
  });
}

void run_call_reset(tessera::RunCall* call) {
  GuardedVoid([&] { call->Reset(); });
}

const void* run_call_layout(tessera::RunCall* call) {
  return GuardedOr<const void*>(nullptr, [&] { return call->layout(); });
}

void* run_call_feed_block(tessera::RunCall* call) {
  return GuardedOr<void*>(nullptr, [&] { return call->feed_block(); });
}

int64_t run_call_feed_block_bytes() { return tessera_abi::kFeedSlots * sizeof(int64_t); }

int64_t run_call_layout_bytes() { return tessera_abi::kLayoutSlots * sizeof(int64_t); }

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

}  // namespace tessera_api
