#include "tessera/image_graph.h"

#include <cstring>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "tessera/run_call.h"

namespace tessera {
namespace {

// Adds nodes to a graph, keeping the first failure; every Add* returns a usable TF_Output
// (null after a failure, which TF_FinishOperation then never sees).
class GraphBuilder {
 public:
  explicit GraphBuilder(TF_Graph* graph) : graph_(graph), tf_status_(NewTfStatus()) {}

  TF_Output Placeholder(const char* name, TF_DataType dtype) {
    return Finish(Begin("Placeholder", name), [&](TF_OperationDescription* d) {
      TF_SetAttrType(d, "dtype", dtype);
    });
  }

  template <typename T>
  TF_Output Const(const char* name, TF_DataType dtype, std::initializer_list<T> values, bool vector) {
    if (!ok()) return {};
    const int64_t dims[1] = {static_cast<int64_t>(values.size())};
    TensorPtr value(TF_AllocateTensor(dtype, dims, vector ? 1 : 0, values.size() * sizeof(T)));
    std::memcpy(TF_TensorData(value.get()), values.begin(), values.size() * sizeof(T));
    return Finish(Begin("Const", name), [&](TF_OperationDescription* d) {
      TF_SetAttrTensor(d, "value", value.get(), tf_status_.get());
      TF_SetAttrType(d, "dtype", dtype);
    });
  }

  // An op with the given inputs; `attrs` sets its attributes.
  template <typename Attrs>
  TF_Output Op(const char* type, const char* name, std::initializer_list<TF_Output> inputs, Attrs attrs) {
    TF_OperationDescription* d = Begin(type, name);
    if (d == nullptr) return {};
    for (const TF_Output& in : inputs) TF_AddInput(d, in);
    return Finish(d, attrs);
  }

  TF_Output Op(const char* type, const char* name, std::initializer_list<TF_Output> inputs) {
    return Op(type, name, inputs, [](TF_OperationDescription*) {});
  }

  bool ok() const { return TF_GetCode(tf_status_.get()) == TF_OK; }
  Status status() const {
    return Status(static_cast<int>(TF_GetCode(tf_status_.get())),
                  std::string("cannot build the image graph: ") + TF_Message(tf_status_.get()));
  }

 private:
  TF_OperationDescription* Begin(const char* type, const char* name) {
    return ok() ? TF_NewOperation(graph_, type, name) : nullptr;
  }

  template <typename Attrs>
  TF_Output Finish(TF_OperationDescription* d, Attrs attrs) {
    if (d == nullptr) return {};
    attrs(d);
    TF_Operation* op = TF_FinishOperation(d, tf_status_.get());
    return ok() ? TF_Output{op, 0} : TF_Output{};
  }

  TF_Graph* graph_;
  StatusPtr tf_status_;
};

// ConfigProto: intra_op_parallelism_threads = 2 (int32) = 1, inter_op_parallelism_threads = 5 = 1.
const char kOneThreadConfig[] = {0x10, 0x01, 0x28, 0x01};

void NoDeallocate(void*, size_t, void*) {}

// TensorFlow's message up to its first line (the rest names graph nodes).
std::string FirstLine(const char* message) {
  std::string text = message == nullptr ? "" : message;
  size_t end = text.find('\n');
  return end == std::string::npos ? text : text.substr(0, end);
}

}  // namespace

std::unique_ptr<ImageGraph> ImageGraph::Create(const ImageGraphSpec& spec, Status* status) {
  if (spec.height <= 0 || spec.width <= 0) {
    *status = Status(kInvalidArgument, "image graph: height and width must be positive");
    return nullptr;
  }
  std::unique_ptr<ImageGraph> result(new ImageGraph());
  result->graph_.reset(TF_NewGraph());
  GraphBuilder b(result->graph_.get());
  auto uint8_type = [](TF_OperationDescription* d) { TF_SetAttrType(d, "dtype", TF_UINT8); };

  TF_Output contents = b.Placeholder("contents", TF_STRING);
  TF_Output decoded = b.Op("DecodeImage", "decode", {contents}, [&](TF_OperationDescription* d) {
    TF_SetAttrInt(d, "channels", 3);
    uint8_type(d);
    TF_SetAttrBool(d, "expand_animations", 0);
  });
  TF_Output axes = b.Placeholder("flip_axes", TF_INT32);
  TF_Output flipped = b.Op("ReverseV2", "flip", {decoded, axes});
  TF_Output perm = b.Placeholder("perm", TF_INT32);
  TF_Output oriented = b.Op("Transpose", "orient", {flipped, perm});
  TF_Output begin = b.Placeholder("crop_begin", TF_INT32);
  TF_Output size = b.Placeholder("crop_size", TF_INT32);
  TF_Output cropped = b.Op("Slice", "crop", {oriented, begin, size});
  TF_Output batch_axis = b.Const<int32_t>("batch_axis", TF_INT32, {0}, false);
  TF_Output batched = b.Op("ExpandDims", "batch", {cropped, batch_axis});
  TF_Output target = b.Const<int32_t>("target_size", TF_INT32, {spec.height, spec.width}, true);
  TF_Output value = b.Op("ResizeBilinear", "resize", {batched, target}, [](TF_OperationDescription* d) {
    TF_SetAttrBool(d, "align_corners", 0);
    TF_SetAttrBool(d, "half_pixel_centers", 0);
  });
  if (spec.bgr) {
    TF_Output channel_axis = b.Const<int32_t>("channel_axis", TF_INT32, {3}, true);
    value = b.Op("ReverseV2", "bgr", {value, channel_axis});
  }
  const float* m = spec.multiplier;
  const float* a = spec.addend;
  value = b.Op("Mul", "scale", {value, b.Const<float>("multiplier", TF_FLOAT, {m[0], m[1], m[2]}, true)});
  value = b.Op("Add", "offset", {value, b.Const<float>("addend", TF_FLOAT, {a[0], a[1], a[2]}, true)});
  if (spec.uint8_output) {
    value = b.Op("Round", "round", {value});
    value = b.Op("ClipByValue", "clip", {value, b.Const<float>("lowest", TF_FLOAT, {0.0f}, false),
                                         b.Const<float>("highest", TF_FLOAT, {255.0f}, false)});
    value = b.Op("Cast", "pixels", {value}, [](TF_OperationDescription* d) {
      TF_SetAttrType(d, "SrcT", TF_FLOAT);
      TF_SetAttrType(d, "DstT", TF_UINT8);
    });
  }
  if (!b.ok()) {
    *status = b.status();
    return nullptr;
  }
  StatusPtr tf_status = NewTfStatus();
  SessionOptionsPtr options(TF_NewSessionOptions());
  TF_SetConfig(options.get(), kOneThreadConfig, sizeof(kOneThreadConfig), tf_status.get());
  if (TF_GetCode(tf_status.get()) == TF_OK) {
    result->session_ = TF_NewSession(result->graph_.get(), options.get(), tf_status.get());
  }
  if (TF_GetCode(tf_status.get()) != TF_OK || result->session_ == nullptr) {
    *status = Status(static_cast<int>(TF_GetCode(tf_status.get())),
                     "cannot create the image session: " + FirstLine(TF_Message(tf_status.get())));
    return nullptr;
  }
  result->contents_ = contents;
  result->axes_ = axes;
  result->perm_ = perm;
  result->begin_ = begin;
  result->size_ = size;
  result->pixels_ = value;
  result->output_bytes_ = static_cast<size_t>(spec.height) * spec.width * 3 *
                          (spec.uint8_output ? 1 : sizeof(float));
  return result;
}

ImageGraph::~ImageGraph() {
  if (session_ != nullptr) {
    StatusPtr tf_status = NewTfStatus();
    TF_CloseSession(session_, tf_status.get());
    TF_DeleteSession(session_, tf_status.get());
  }
}

Status ImageGraph::Run(const void* encoded, size_t encoded_bytes, const ImageWindow& window,
                       int64_t timeout_ms, void* out, size_t out_bytes) const {
  if (out_bytes != output_bytes_) {
    return Status(kInvalidArgument, "image graph: output holds " + std::to_string(out_bytes) +
                                        " bytes, the image needs " + std::to_string(output_bytes_));
  }
  // The string tensor views the caller's bytes: nothing is copied, and nothing outlives the call.
  TensorPtr contents(TF_AllocateTensor(TF_STRING, nullptr, 0, sizeof(TF_TString)));
  auto* element = static_cast<TF_TString*>(TF_TensorData(contents.get()));
  TF_StringInit(element);
  TF_StringAssignView(element, static_cast<const char*>(encoded), encoded_bytes);

  int32_t axes_values[2];
  int64_t num_axes = 0;
  if (window.flip_rows) axes_values[num_axes++] = 0;
  if (window.flip_columns) axes_values[num_axes++] = 1;
  int32_t perm_values[3] = {0, 1, 2};
  if (window.transpose) std::swap(perm_values[0], perm_values[1]);
  int32_t begin_values[3] = {window.top, window.left, 0};
  int32_t size_values[3] = {window.height, window.width, -1};
  const int64_t axes_dims[1] = {num_axes};
  const int64_t three[1] = {3};
  TensorPtr axes(TF_NewTensor(TF_INT32, axes_dims, 1, axes_values, num_axes * sizeof(int32_t),
                              NoDeallocate, nullptr));
  TensorPtr perm(TF_NewTensor(TF_INT32, three, 1, perm_values, sizeof(perm_values), NoDeallocate, nullptr));
  TensorPtr begin(TF_NewTensor(TF_INT32, three, 1, begin_values, sizeof(begin_values), NoDeallocate, nullptr));
  TensorPtr size(TF_NewTensor(TF_INT32, three, 1, size_values, sizeof(size_values), NoDeallocate, nullptr));

  const TF_Output inputs[] = {contents_, axes_, perm_, begin_, size_};
  TF_Tensor* const values[] = {contents.get(), axes.get(), perm.get(), begin.get(), size.get()};
  TF_Tensor* output = nullptr;
  const std::string options = EncodeRunOptions(/*caller_thread=*/true, timeout_ms);
  TF_Buffer run_options{options.data(), options.size(), nullptr};
  StatusPtr tf_status = NewTfStatus();
  TF_SessionRun(session_, &run_options, inputs, values, 5, &pixels_, &output, 1, nullptr, 0,
                nullptr, tf_status.get());
  TensorPtr pixels(output);
  if (TF_GetCode(tf_status.get()) != TF_OK) {
    return Status(static_cast<int>(TF_GetCode(tf_status.get())), FirstLine(TF_Message(tf_status.get())));
  }
  if (pixels == nullptr || TF_TensorByteSize(pixels.get()) != out_bytes) {
    return Status(kInternal, "image graph: unexpected output size");
  }
  std::memcpy(out, TF_TensorData(pixels.get()), out_bytes);
  return Status::Ok();
}

}  // namespace tessera
