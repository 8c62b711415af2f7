// Owners for the TensorFlow C API objects the native core creates: std::unique_ptr with the
// matching TF_Delete* as deleter, so every exit path (early return, error, exception) frees them.
//
// Ownership: a *Ptr owns its object exclusively; release() hands it to TensorFlow or to a raw
// array TF_SessionRun needs (RunCall keeps its feeds/outputs that way and frees them in Reset()).
#ifndef TESSERA_TF_OWNERS_H_
#define TESSERA_TF_OWNERS_H_

#include <memory>

#include "tensorflow_c/tf_c_min.h"

namespace tessera {

struct TensorDeleter {
  void operator()(TF_Tensor* t) const { TF_DeleteTensor(t); }
};
struct GraphDeleter {
  void operator()(TF_Graph* g) const { TF_DeleteGraph(g); }
};
struct BufferDeleter {
  void operator()(TF_Buffer* b) const { TF_DeleteBuffer(b); }
};
struct SessionOptionsDeleter {
  void operator()(TF_SessionOptions* o) const { TF_DeleteSessionOptions(o); }
};
struct StatusDeleter {
  void operator()(TF_Status* s) const { TF_DeleteStatus(s); }
};

using TensorPtr = std::unique_ptr<TF_Tensor, TensorDeleter>;
using GraphPtr = std::unique_ptr<TF_Graph, GraphDeleter>;
using BufferPtr = std::unique_ptr<TF_Buffer, BufferDeleter>;
using SessionOptionsPtr = std::unique_ptr<TF_SessionOptions, SessionOptionsDeleter>;
using StatusPtr = std::unique_ptr<TF_Status, StatusDeleter>;

inline StatusPtr NewTfStatus() { return StatusPtr(TF_NewStatus()); }

}  // namespace tessera

#endif  // TESSERA_TF_OWNERS_H_
