// JNI-facing facade (tessera/api.h): image preprocessing graphs.
#include <cstdint>

#include "api_guard.h"
#include "tessera/api.h"
#include "tessera/host_buffer.h"
#include "tessera/image_graph.h"

using tessera::Status;

namespace tessera_api {

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
