// The flat facade Java binds to (through JavaCPP; see io.tessera.nativebridge.TesseraNative).
//
// Contract for every function here:
//  - No C++ exception escapes; failures return a non-zero status code (gRPC/absl numbering) or a
//    null pointer, and the message is kept per thread until the next failing call on that thread:
//    read it with tessera_last_error() / tessera_last_error_code().
//    Every function runs inside api.cc's Guarded fence; value accessors answer -1 (or null) when
//    they fail. Numbers shared with Java (`which` selectors, layout slots) live in tessera/abi.h.
//  - Objects returned by *_create/*_load are owned by the caller and released with the matching
//    *_free / *_unref function exactly once.
#ifndef TESSERA_API_H_
#define TESSERA_API_H_

#include <cstddef>
#include <cstdint>

namespace tessera {
class BatchingSession;
struct BatchThreadsRef;
class HostBuffer;
class ImageGraph;
class SavedModelSession;
class RunCall;
}  // namespace tessera

namespace tessera_api {

const char* tessera_last_error();
// Status code of the last failure on this thread (for functions that signal failure with null).
int tessera_last_error_code();
const char* tf_version();

// Host buffers (64-byte aligned, reference-counted).
tessera::HostBuffer* host_buffer_create(int64_t bytes);
void host_buffer_unref(tessera::HostBuffer* buffer);
void* host_buffer_data(tessera::HostBuffer* buffer);
int64_t live_host_buffer_bytes();
const char* host_allocator_name();
const char* host_allocator_reason();

// Sessions. tags_csv: comma-separated MetaGraph tags; config: serialized ConfigProto or null.
tessera::SavedModelSession* session_load(const char* export_dir, const char* tags_csv,
                                         const char* config, int64_t config_len);
void session_free(tessera::SavedModelSession* session);
int64_t session_meta_graph_size(tessera::SavedModelSession* session);
// Copies the MetaGraphDef bytes into `out` (capacity session_meta_graph_size) and drops them.
int session_take_meta_graph(tessera::SavedModelSession* session, void* out);
int session_resolve_endpoint(tessera::SavedModelSession* session, const char* tensor_name);
// The static shape the loaded graph's shape inference gives endpoint `endpoint` (a
// session_resolve_endpoint id), written to `out` (`capacity` int64 slots):
//   out[0] = 1 when the tensor is an output of a Placeholder or PlaceholderWithDefault op, else 0;
//   out[1] = rank, -1 when unknown; out[2 .. 2 + rank) = dims, -1 for an unknown dim.
// Returns 0, or a status code: INVALID_ARGUMENT for bad arguments or capacity < 2 + rank,
// INTERNAL for an endpoint id the session never issued, TensorFlow's code if it cannot say.
int session_endpoint_shape(tessera::SavedModelSession* session, int endpoint, int64_t* out,
                           int capacity);
int session_device_count(tessera::SavedModelSession* session);
const char* session_device_name(tessera::SavedModelSession* session, int index);

// Batch threads shared by all batching sessions; each session holds its own reference, so freeing
// this one only drops the caller's share.
tessera::BatchThreadsRef* batch_threads_create(int num_threads);
void batch_threads_free(tessera::BatchThreadsRef* threads);

// Batching sessions (one per loaded model version when --enable_batching), run on `threads`, or,
// when `threads` is null, in puppet mode (tests). `settings` holds tessera/abi.h's kSetting* slots
// (kSettingCount of them; booleans 0/1); allowed_batch_sizes may be null when num_allowed == 0.
tessera::BatchingSession* batching_session_create(tessera::SavedModelSession* session,
                                                  tessera::BatchThreadsRef* threads, const int64_t* settings,
                                                  const int64_t* allowed_batch_sizes, int num_allowed);
// Reloaded parameters, applied while calls run (BatchingSession::UpdateOptions).
int batching_session_update(tessera::BatchingSession* batching, const int64_t* settings,
                            const int64_t* allowed_batch_sizes, int num_allowed);
void batching_session_free(tessera::BatchingSession* batching);
// Puppet mode (tests): queued tasks, and running one batch now; returns the tasks it held.
int64_t batching_session_pending(tessera::BatchingSession* batching);
int batching_session_process_one(tessera::BatchingSession* batching, bool force);
// Runs `call` inside a batch (blocks until it ran); its outputs are then read as after run_call_run.
// timeout_ms > 0: DEADLINE_EXCEEDED without running if the batch starts after it; else it bounds
// the batched run (the earliest deadline in the batch). 0: none.
int batching_session_run(tessera::BatchingSession* batching, tessera::RunCall* call,
                         int64_t timeout_ms);
// Totals since creation and the current limits; `which` is one of tessera/abi.h's kStat* (-1 for
// any other).
int64_t batching_session_stat(tessera::BatchingSession* batching, int which);

// Run calls.
tessera::RunCall* run_call_create(tessera::SavedModelSession* session);
void run_call_free(tessera::RunCall* call);
int run_call_add_input(tessera::RunCall* call, int endpoint, int dtype, const int64_t* dims,
                       int num_dims, tessera::HostBuffer* buffer, int64_t offset, int64_t bytes);
int run_call_add_string_input(tessera::RunCall* call, int endpoint, const int64_t* dims,
                              int num_dims, const void* blob, const int64_t* lengths,
                              int64_t count);
int run_call_add_output(tessera::RunCall* call, int endpoint);
// Takes the staged feeds and fetches of the feed block now (when more must be added natively).
int run_call_take_staged(tessera::RunCall* call);
// Takes the staged feeds and fetches of the feed block, runs, writes the layout block, and
// releases what the layout block holds copies of (RunCall::ReleaseAfterRun).
int run_call_run(tessera::RunCall* call, bool caller_thread, int64_t timeout_ms);
// Drops feeds, fetches and outputs so the call can be reused (its owner pools calls).
void run_call_reset(tessera::RunCall* call);
// The call's output layout block (RunCall::WriteLayout: rewritten after each successful run and
// batched run; read it instead of the per-field accessors below; slots named in tessera/abi.h)
// and its size in bytes.
const void* run_call_layout(tessera::RunCall* call);
int64_t run_call_layout_bytes();
// The call's feed block (tessera/abi.h kFeed*: staged dense feeds and fetches, taken by
// run_call_run and batching_session_run in the same crossing) and its size in bytes.
void* run_call_feed_block(tessera::RunCall* call);
int64_t run_call_feed_block_bytes();
int run_call_output_dtype(tessera::RunCall* call, int index);
int run_call_output_num_dims(tessera::RunCall* call, int index);
int64_t run_call_output_dim(tessera::RunCall* call, int index, int dim);
int64_t run_call_output_bytes(tessera::RunCall* call, int index);
void* run_call_output_data(tessera::RunCall* call, int index);
int64_t run_call_output_string_size(tessera::RunCall* call, int index, int64_t element);
const void* run_call_output_string_data(tessera::RunCall* call, int index, int64_t element);

// Image preprocessing graphs (tessera/image_graph.h). multiplier and addend: 3 floats each.
tessera::ImageGraph* image_graph_create(int height, int width, bool bgr, bool uint8_output,
                                        const float* multiplier, const float* addend);
void image_graph_free(tessera::ImageGraph* graph);
// Decodes `encoded_bytes` bytes at `encoded` into `bytes` bytes at `offset` in `out`, which must be
// the graph's output size. window: 7 int32 = flip_rows, flip_columns, transpose (0/1), then top,
// left, height, width of the crop in oriented coordinates (-1 height/width: to the edge).
// Returns TensorFlow's code (INVALID_ARGUMENT for bad image bytes, DEADLINE_EXCEEDED past
// timeout_ms when > 0).
int image_graph_run(tessera::ImageGraph* graph, const void* encoded, int64_t encoded_bytes,
                    const int32_t* window, int64_t timeout_ms, tessera::HostBuffer* out,
                    int64_t offset, int64_t bytes);

}  // namespace tessera_api

#endif  // TESSERA_API_H_
