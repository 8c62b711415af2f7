// One TF_SessionRun: inputs, requested outputs, and ownership of the output tensors.
//
// Not thread-safe: one RunCall belongs to one request thread. Inputs borrow HostBuffers by
// reference count (no copy); outputs are TensorFlow's own tensors, exposed in place until the
// RunCall is destroyed.
#ifndef TESSERA_RUN_CALL_H_
#define TESSERA_RUN_CALL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "tensorflow_c/tf_c_min.h"
#include "tessera/abi.h"
#include "tessera/host_buffer.h"
#include "tessera/saved_model_session.h"
#include "tessera/status.h"
#include "tessera/tf_owners.h"

namespace tessera {

// Serialized tensorflow.RunOptions for one call. `caller_thread` sets inter_op_thread_pool = -1,
// which runs the graph on the calling thread (3.6 us vs 10.5 us for a tiny model);
// timeout_ms <= 0 means no deadline.
std::string EncodeRunOptions(bool caller_thread, int64_t timeout_ms);

class RunCall {
 public:
  explicit RunCall(SavedModelSession* session);
  ~RunCall();

  RunCall(const RunCall&) = delete;
  RunCall& operator=(const RunCall&) = delete;

  // Feeds `bytes` bytes at `offset` in `buffer` as a dense tensor. The buffer gains a reference
  // that TensorFlow releases when it drops the tensor.
  Status AddInput(int endpoint, int dtype, const int64_t* dims, int num_dims, HostBuffer* buffer,
                  size_t offset, size_t bytes);
  // Feeds a DT_STRING tensor whose `count` elements are consecutive in `blob`, element i being
  // lengths[i] bytes long. Strings are copied into TF_TString storage.
  Status AddStringInput(int endpoint, const int64_t* dims, int num_dims, const char* blob,
                        const int64_t* lengths, int64_t count);
  void AddOutput(int endpoint) { output_endpoints_.push_back(endpoint); }

  // The feed block (slots named in tessera/abi.h, kFeed*): the owner stages dense feeds and
  // fetches in it, and every run entry point calls TakeStagedFeeds first, so feed + fetch + run
  // is one crossing. TakeStagedFeeds also performs a reset the owner requested there.
  int64_t* feed_block() { return feeds_; }
  Status TakeStagedFeeds();
  // After a run (direct or batched) and WriteLayout: drops the input tensors, and the outputs too
  // when the layout block holds copies of all of them, so a pooled call keeps no TensorFlow
  // memory and its owner needs no reset crossing; then publishes kFeedHeldSlot.
  void ReleaseAfterRun();
  // One run crossing: takes the staged feeds, calls `run` (the direct run, or a batched one), then
  // writes the layout block and releases what it holds copies of; after a failure the call keeps
  // what it holds until its owner's reset.
  template <typename RunFn>
  Status RunStaged(RunFn&& run) {
    Status status = TakeStagedFeeds();
    if (status.ok()) status = run();
    if (status.ok()) {
      WriteLayout();
      ReleaseAfterRun();
    } else {
      PublishHeld();
    }
    return status;
  }
  // Publishes kFeedHeldSlot (1 while input or output tensors are held) and the batch info.
  void PublishHeld();
  // Performs the reset the owner requested in kFeedResetSlot, if any; every entry point that
  // changes the call calls it first.
  void ResetIfRequested();
  // Feeds an already built tensor (takes ownership); used for the chunks of a split request.
  void AddInputTensor(TF_Output input, TensorPtr tensor) {
    inputs_.push_back(input);
    input_values_.push_back(tensor.release());
  }

  Status Run(bool caller_thread, int64_t timeout_ms);

  // Back to the just-created state (feeds, fetches, outputs and batch info dropped; the memory
  // they held is released now) so the owner can reuse the call for its next request.
  void Reset();

  // The output layout block, rewritten by WriteLayout after each successful run; the owner maps
  // it once and reads it without a call per field. Slots are int64, numbered in tessera/abi.h:
  //   [kLayoutCountSlot] number of outputs described, or -1 when they do not fit the block
  //   per output: dtype, num_dims, byte_size, inline_offset, data address, dims[num_dims]
  // Dense outputs of at most kInlineOutputBytes are also copied into the block at byte offset
  // inline_offset (a small copy is cheaper than mapping TensorFlow's memory from the JVM);
  // inline_offset is -1 for the others, which are read in place at `data address`.
  static constexpr int kLayoutSlots = static_cast<int>(tessera_abi::kLayoutSlots);
  static constexpr int64_t kInlineOutputBytes = tessera_abi::kLayoutInlineOutputBytes;
  void WriteLayout();
  const int64_t* layout() const { return layout_; }

  int num_outputs() const { return static_cast<int>(outputs_.size()); }

  // For the batching session: this call's feeds and fetches, and a way to hand it outputs that
  // were computed as part of a merged batch (takes ownership of the tensors).
  const std::vector<TF_Output>& inputs() const { return inputs_; }
  const std::vector<TF_Tensor*>& input_values() const { return input_values_; }
  const std::vector<int>& output_endpoints() const { return output_endpoints_; }
  SavedModelSession* session() const { return session_; }
  void SetOutputs(std::vector<TensorPtr> outputs);

  // Set by the batching session: the batch this call ran in (rows before and after padding),
  // whether this call is the batch's first (so per-batch metrics are recorded once), how long
  // it queued, and the timeout the batched run had (the earliest deadline of its calls, 0 = none).
  // All zero when the call ran directly.
  struct BatchInfo {
    int64_t rows = 0;
    int64_t padded_rows = 0;
    bool first_in_batch = false;
    int64_t queued_nanos = 0;
    int64_t run_timeout_ms = 0;
    int64_t run_nanos = 0;   // merge, TF run and checks of the whole batch
    int64_t size_limit = 0;  // the batch size limit of its queue when it ran
  };
  void set_batch_info(const BatchInfo& info) { batch_info_ = info; }
  const BatchInfo& batch_info() const { return batch_info_; }
  // Output accessors; valid after a successful Run, index checked by the caller.
  TF_Tensor* output(int i) const { return outputs_[static_cast<size_t>(i)]; }
  // Element j of a DT_STRING output; *size receives its length.
  const char* OutputString(int i, int64_t j, size_t* size) const;

 private:
  SavedModelSession* const session_;
  std::vector<TF_Output> inputs_;
  std::vector<TF_Tensor*> input_values_;
  std::vector<int> output_endpoints_;
  std::vector<TF_Tensor*> outputs_;
  BatchInfo batch_info_;
  // Reused across runs: fetch list, status, and the encoded RunOptions with their arguments.
  std::vector<TF_Output> fetches_;
  const StatusPtr tf_status_;
  std::string run_options_;
  bool run_options_caller_thread_ = false;
  int64_t run_options_timeout_ms_ = 0;
  bool ran_ = false;  // a run succeeded since the last reset (a second Run fails)
  alignas(64) int64_t layout_[kLayoutSlots] = {0};
  alignas(64) int64_t feeds_[tessera_abi::kFeedSlots] = {0};
};

}  // namespace tessera

#endif  // TESSERA_RUN_CALL_H_
