// Image preprocessing as a small TensorFlow graph, run through the C API, so an encoded image
// becomes exactly what a Python user's tf.image code computes:
//
//   contents (DT_STRING scalar) -> DecodeImage(channels=3, uint8, expand_animations=false)
//     -> ReverseV2(axes) -> Transpose(perm)          (EXIF orientation; identity feeds are free)
//     -> Slice(begin, size)                           (centre crop window; -1 sizes = all)
//     -> ExpandDims -> ResizeBilinear(height, width, align_corners=false, half_pixel_centers=false)
//     -> [ReverseV2(channels) for BGR] -> Mul(multiplier) -> Add(addend)
//     -> [Round -> ClipByValue(0, 255) -> Cast(uint8) for DT_UINT8 output]
//
// One ImageGraph per model version (its spec never changes); Run is thread-safe and runs the
// graph on the calling thread with one intra-op thread, so parallelism across images is the
// caller's (the Java decode pool). The graph and session are freed with the object.
#ifndef TESSERA_IMAGE_GRAPH_H_
#define TESSERA_IMAGE_GRAPH_H_

#include <cstdint>
#include <memory>
#include <string>

#include "tensorflow_c/tf_c_min.h"
#include "tessera/status.h"
#include "tessera/tf_owners.h"

namespace tessera {

struct ImageGraphSpec {
  int height = 0;
  int width = 0;
  bool bgr = false;
  bool uint8_output = false;
  float multiplier[3] = {1, 1, 1};
  float addend[3] = {0, 0, 0};
};

// Where one image goes through the graph: the orientation and crop computed by the caller from
// the image's header (in displayed, i.e. oriented, coordinates).
struct ImageWindow {
  bool flip_rows = false;     // reverse axis 0 (stored image), before the transpose
  bool flip_columns = false;  // reverse axis 1
  bool transpose = false;     // swap height and width after the flips
  int32_t top = 0, left = 0;
  int32_t height = -1, width = -1;  // -1: to the edge
};

class ImageGraph {
 public:
  static std::unique_ptr<ImageGraph> Create(const ImageGraphSpec& spec, Status* status);
  ~ImageGraph();

  ImageGraph(const ImageGraph&) = delete;
  ImageGraph& operator=(const ImageGraph&) = delete;

  // Decodes `encoded` (borrowed for the call) and writes height * width * 3 elements of the
  // spec's dtype to `out`, which must hold exactly that many bytes. TensorFlow's errors keep their
  // code (INVALID_ARGUMENT for bad image bytes) with the message's first line only.
  // timeout_ms <= 0: none.
  Status Run(const void* encoded, size_t encoded_bytes, const ImageWindow& window,
             int64_t timeout_ms, void* out, size_t out_bytes) const;

  size_t output_bytes() const { return output_bytes_; }

 private:
  ImageGraph() = default;

  GraphPtr graph_;
  TF_Session* session_ = nullptr;
  TF_Output contents_{}, axes_{}, perm_{}, begin_{}, size_{}, pixels_{};
  size_t output_bytes_ = 0;
};

}  // namespace tessera

#endif  // TESSERA_IMAGE_GRAPH_H_
