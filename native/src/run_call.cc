#include "tessera/run_call.h"

#include <cstring>

namespace tessera {
namespace {

void ReleaseHostBuffer(void*, size_t, void* arg) { static_cast<HostBuffer*>(arg)->Unref(); }

void AppendVarint(std::string* out, uint64_t value) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

Status CheckShape(const int64_t* dims, int num_dims, int64_t* elements) {
  int64_t count = 1;
  for (int d = 0; d < num_dims; ++d) {
    if (dims[d] < 0) return Status(kInvalidArgument, "negative dimension in tensor shape");
    count *= dims[d];
  }
  *elements = count;
  return Status::Ok();
}

}  // namespace

std::string EncodeRunOptions(bool caller_thread, int64_t timeout_ms) {
  // RunOptions: timeout_in_ms = 2 (int64), inter_op_thread_pool = 3 (int32).
  std::string bytes;
  if (timeout_ms > 0) {
    bytes.push_back(static_cast<char>(2 << 3));
    AppendVarint(&bytes, static_cast<uint64_t>(timeout_ms));
  }
  if (caller_thread) {
    bytes.push_back(static_cast<char>(3 << 3));
    AppendVarint(&bytes, static_cast<uint64_t>(int64_t{-1}));  // negative int32: 10-byte varint
  }
  return bytes;
}

RunCall::RunCall(SavedModelSession* session) : session_(session), tf_status_(NewTfStatus()) {}

RunCall::~RunCall() { Reset(); }

void RunCall::SetOutputs(std::vector<TensorPtr> outputs) {
  for (TF_Tensor* t : outputs_) {
    if (t != nullptr) TF_DeleteTensor(t);
  }
  outputs_.clear();
  for (TensorPtr& t : outputs) outputs_.push_back(t.release());
  ran_ = true;
}

void RunCall::Reset() {
  for (TF_Tensor* t : input_values_) TF_DeleteTensor(t);
  for (TF_Tensor* t : outputs_) {
    if (t != nullptr) TF_DeleteTensor(t);
  }
  inputs_.clear();
  input_values_.clear();
  output_endpoints_.clear();
  outputs_.clear();
  batch_info_ = BatchInfo();
  ran_ = false;
  layout_[tessera_abi::kLayoutCountSlot] = 0;
  // The staged counts are left alone: they belong to the feeds the owner staged after asking
  // for this reset, which TakeStagedFeeds takes next.
  feeds_[tessera_abi::kFeedHeldSlot] = 0;
  feeds_[tessera_abi::kFeedResetSlot] = 0;
}

void RunCall::ResetIfRequested() {
  if (feeds_[tessera_abi::kFeedResetSlot] != 0) Reset();
}

Status RunCall::TakeStagedFeeds() {
  using namespace tessera_abi;  // NOLINT: the slot names
  ResetIfRequested();
  const int64_t num_inputs = feeds_[kFeedInputCountSlot];
  const int64_t num_outputs = feeds_[kFeedOutputCountSlot];
  feeds_[kFeedInputCountSlot] = feeds_[kFeedOutputCountSlot] = 0;
  int64_t at = kFeedFirstSlot;
  for (int64_t i = 0; i < num_inputs; ++i) {
    if (at + kFeedInputFixedSlots > kFeedSlots) return Status(kInvalidArgument, "feed block overflow");
    const int64_t* in = &feeds_[at];
    const int64_t num_dims = in[kFeedNumDims];
    if (num_dims < 0 || at + kFeedInputFixedSlots + num_dims > kFeedSlots) {
      return Status(kInvalidArgument, "feed block overflow");
    }
    auto* buffer = reinterpret_cast<HostBuffer*>(static_cast<uintptr_t>(in[kFeedBuffer]));
    if (buffer == nullptr || in[kFeedOffset] < 0 || in[kFeedBytes] < 0) {
      return Status(kInvalidArgument, "invalid input buffer");
    }
    Status status = AddInput(static_cast<int>(in[kFeedEndpoint]), static_cast<int>(in[kFeedDtype]),
                             &in[kFeedDims], static_cast<int>(num_dims), buffer,
                             static_cast<size_t>(in[kFeedOffset]), static_cast<size_t>(in[kFeedBytes]));
    if (!status.ok()) return status;
    at += kFeedInputFixedSlots + num_dims;
  }
  if (num_outputs < 0 || at + num_outputs > kFeedSlots) return Status(kInvalidArgument, "feed block overflow");
  for (int64_t i = 0; i < num_outputs; ++i) AddOutput(static_cast<int>(feeds_[at + i]));
  return Status::Ok();
}

void RunCall::ReleaseAfterRun() {
  for (TF_Tensor* t : input_values_) TF_DeleteTensor(t);
  inputs_.clear();
  input_values_.clear();
  bool all_copied = layout_[tessera_abi::kLayoutCountSlot] >= 0;
  int64_t at = tessera_abi::kLayoutFirstOutputSlot;
  for (size_t i = 0; all_copied && i < outputs_.size(); ++i) {
    const int64_t* out = &layout_[at];
    if (out[tessera_abi::kLayoutDtype] >= 0 && out[tessera_abi::kLayoutInlineOffset] < 0) all_copied = false;
    at += tessera_abi::kLayoutOutputFixedSlots + out[tessera_abi::kLayoutNumDims];
  }
  if (all_copied) {
    for (TF_Tensor* t : outputs_) {
      if (t != nullptr) TF_DeleteTensor(t);
    }
    outputs_.clear();
  }
  PublishHeld();
}

void RunCall::PublishHeld() {
  using namespace tessera_abi;  // NOLINT: the slot names
  feeds_[kFeedHeldSlot] = !inputs_.empty() || !outputs_.empty() ? 1 : 0;
  int64_t* info = &feeds_[kFeedBatchInfoSlot];
  info[kBatchInfoRows] = batch_info_.rows;
  info[kBatchInfoPaddedRows] = batch_info_.padded_rows;
  info[kBatchInfoFirstInBatch] = batch_info_.first_in_batch ? 1 : 0;
  info[kBatchInfoQueuedNanos] = batch_info_.queued_nanos;
  info[kBatchInfoRunNanos] = batch_info_.run_nanos;
  info[kBatchInfoSizeLimit] = batch_info_.size_limit;
}

void RunCall::WriteLayout() {
  using namespace tessera_abi;  // NOLINT: the slot names
  int64_t slots = kLayoutFirstOutputSlot;
  for (TF_Tensor* t : outputs_) slots += kLayoutOutputFixedSlots + (t == nullptr ? 0 : TF_NumDims(t));
  if (slots > kLayoutSlots) {
    layout_[kLayoutCountSlot] = -1;
    return;
  }
  int64_t inline_at = slots;  // inline data follows the descriptions, 8-byte aligned
  int64_t at = kLayoutFirstOutputSlot;
  for (TF_Tensor* t : outputs_) {
    int64_t* out = &layout_[at];
    if (t == nullptr) {  // not produced: described as dtype -1 with no data
      out[kLayoutDtype] = -1;
      out[kLayoutNumDims] = out[kLayoutByteSize] = out[kLayoutDataAddress] = 0;
      out[kLayoutInlineOffset] = -1;
      at += kLayoutOutputFixedSlots;
      continue;
    }
    const int num_dims = TF_NumDims(t);
    const int64_t bytes = static_cast<int64_t>(TF_TensorByteSize(t));
    const int64_t inline_slots = (bytes + 7) / 8;
    const bool copy = TF_TensorType(t) != TF_STRING && bytes <= kInlineOutputBytes &&
                      inline_at + inline_slots <= kLayoutSlots;
    out[kLayoutDtype] = TF_TensorType(t);
    out[kLayoutNumDims] = num_dims;
    out[kLayoutByteSize] = bytes;
    out[kLayoutInlineOffset] = copy ? inline_at * 8 : -1;
    out[kLayoutDataAddress] = static_cast<int64_t>(reinterpret_cast<uintptr_t>(TF_TensorData(t)));
    for (int d = 0; d < num_dims; ++d) out[kLayoutDims + d] = TF_Dim(t, d);
    if (copy && bytes > 0) {
      std::memcpy(&layout_[inline_at], TF_TensorData(t), static_cast<size_t>(bytes));
      inline_at += inline_slots;
    }
    at += kLayoutOutputFixedSlots + num_dims;
  }
  layout_[kLayoutCountSlot] = static_cast<int64_t>(outputs_.size());
}

Status RunCall::AddInput(int endpoint, int dtype, const int64_t* dims, int num_dims,
                         HostBuffer* buffer, size_t offset, size_t bytes) {
  int64_t elements = 0;
  Status shape = CheckShape(dims, num_dims, &elements);
  if (!shape.ok()) return shape;
  size_t element_size = TF_DataTypeSize(static_cast<TF_DataType>(dtype));
  if (element_size == 0 || static_cast<size_t>(elements) * element_size != bytes) {
    return Status(kInvalidArgument, "tensor byte size does not match its dtype and shape");
  }
  if (offset > buffer->size() || bytes > buffer->size() - offset) {
    return Status(kInvalidArgument, "tensor lies outside its host buffer");
  }
  buffer->Ref();  // released by TensorFlow through ReleaseHostBuffer
  TensorPtr tensor(TF_NewTensor(static_cast<TF_DataType>(dtype), dims, num_dims,
                                static_cast<char*>(buffer->data()) + offset, bytes,
                                ReleaseHostBuffer, buffer));
  if (tensor == nullptr) {
    buffer->Unref();
    return Status(kInvalidArgument, "TensorFlow rejected the input tensor");
  }
  AddInputTensor(session_->endpoint(endpoint), std::move(tensor));
  return Status::Ok();
}

Status RunCall::AddStringInput(int endpoint, const int64_t* dims, int num_dims, const char* blob,
                               const int64_t* lengths, int64_t count) {
  int64_t elements = 0;
  Status shape = CheckShape(dims, num_dims, &elements);
  if (!shape.ok()) return shape;
  if (elements != count) {
    return Status(kInvalidArgument, "string tensor element count does not match its shape");
  }
  TensorPtr tensor(TF_AllocateTensor(TF_STRING, dims, num_dims,
                                     static_cast<size_t>(count) * sizeof(TF_TString)));
  if (tensor == nullptr) return Status(kResourceExhausted, "could not allocate string tensor");
  auto* strings = static_cast<TF_TString*>(TF_TensorData(tensor.get()));
  int64_t position = 0;
  for (int64_t i = 0; i < count; ++i) {
    TF_StringInit(&strings[i]);
    TF_StringCopy(&strings[i], blob + position, static_cast<size_t>(lengths[i]));
    position += lengths[i];
  }
  AddInputTensor(session_->endpoint(endpoint), std::move(tensor));
  return Status::Ok();
}

Status RunCall::Run(bool caller_thread, int64_t timeout_ms) {
  if (ran_) return Status(kFailedPrecondition, "RunCall already ran");
  fetches_.clear();
  for (int id : output_endpoints_) fetches_.push_back(session_->endpoint(id));
  outputs_.assign(fetches_.size(), nullptr);

  // Re-encoded only when the arguments change (the empty initial encoding is (false, 0)'s).
  if (run_options_caller_thread_ != caller_thread || run_options_timeout_ms_ != timeout_ms) {
    run_options_ = EncodeRunOptions(caller_thread, timeout_ms);
    run_options_caller_thread_ = caller_thread;
    run_options_timeout_ms_ = timeout_ms;
  }
  TF_Buffer run_options{run_options_.data(), run_options_.size(), nullptr};
  TF_SetStatus(tf_status_.get(), TF_OK, "");
  TF_SessionRun(session_->tf_session(), run_options_.empty() ? nullptr : &run_options,
                inputs_.data(), input_values_.data(), static_cast<int>(inputs_.size()),
                fetches_.data(), outputs_.data(), static_cast<int>(fetches_.size()), nullptr, 0,
                nullptr, tf_status_.get());
  if (TF_GetCode(tf_status_.get()) != TF_OK) {
    return Status(static_cast<int>(TF_GetCode(tf_status_.get())), TF_Message(tf_status_.get()));
  }
  ran_ = true;
  return Status::Ok();
}

const char* RunCall::OutputString(int i, int64_t j, size_t* size) const {
  const auto* strings = static_cast<const TF_TString*>(TF_TensorData(output(i)));
  *size = TF_StringGetSize(&strings[j]);
  return TF_StringGetDataPointer(&strings[j]);
}

}  // namespace tessera
