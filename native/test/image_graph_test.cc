// ImageGraph on a real photo from the shared folder: TensorFlow decodes, resizes and maps it into
// the caller's buffer; bad bytes and a wrong output size are INVALID_ARGUMENT, never a crash; a
// centre-crop window and a flip change the result but not its size.
#include "tessera/image_graph.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace tessera {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

class ImageGraphTest : public ::testing::Test {
 protected:
  void SetUp() override {
    photo_ = ReadFile(std::string(TESSERA_SHARED_DIR) + "/images/coffee.jpg");
    if (photo_.empty()) GTEST_SKIP() << "no shared images";
    ImageGraphSpec spec;
    spec.height = 32;
    spec.width = 48;
    for (int c = 0; c < 3; ++c) {
      spec.multiplier[c] = 1.0f / 127.5f;
      spec.addend[c] = -1.0f;
    }
    Status status;
    graph_ = ImageGraph::Create(spec, &status);
    ASSERT_NE(graph_, nullptr) << status.message();
  }

  std::string photo_;
  std::unique_ptr<ImageGraph> graph_;
};

TEST_F(ImageGraphTest, DecodesAPhotoIntoTheCallersBuffer) {
  ASSERT_EQ(graph_->output_bytes(), 32u * 48 * 3 * sizeof(float));
  std::vector<float> out(32 * 48 * 3, 99.0f);
  Status status = graph_->Run(photo_.data(), photo_.size(), ImageWindow{}, 0, out.data(),
                              out.size() * sizeof(float));
  ASSERT_TRUE(status.ok()) << status.message();
  float low = 1, high = -1;
  for (float v : out) {
    low = std::min(low, v);
    high = std::max(high, v);
  }
  EXPECT_GE(low, -1.0f);
  EXPECT_LE(high, 1.0f);
  EXPECT_LT(low, high);  // a real picture, not a constant

  std::vector<float> cropped(out.size());
  ImageWindow window;
  window.flip_columns = true;
  window.top = 10;
  window.left = 20;
  window.height = 200;
  window.width = 300;
  status = graph_->Run(photo_.data(), photo_.size(), window, 0, cropped.data(), cropped.size() * sizeof(float));
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_NE(out, cropped);
}

TEST_F(ImageGraphTest, BadBytesAndSizesAreInvalidArguments) {
  std::vector<float> out(32 * 48 * 3);
  const std::string junk = "definitely not an image";
  Status status = graph_->Run(junk.data(), junk.size(), ImageWindow{}, 0, out.data(), out.size() * sizeof(float));
  EXPECT_EQ(status.code(), kInvalidArgument) << status.message();
  EXPECT_EQ(status.message().find('\n'), std::string::npos) << "first line only";

  const std::string truncated = photo_.substr(0, photo_.size() / 2);
  status = graph_->Run(truncated.data(), truncated.size(), ImageWindow{}, 0, out.data(), out.size() * sizeof(float));
  EXPECT_EQ(status.code(), kInvalidArgument) << status.message();

  status = graph_->Run(photo_.data(), photo_.size(), ImageWindow{}, 0, out.data(), 10);
  EXPECT_EQ(status.code(), kInvalidArgument) << status.message();

  ImageWindow outside;
  outside.top = 5000;
  outside.height = 10;
  status = graph_->Run(photo_.data(), photo_.size(), outside, 0, out.data(), out.size() * sizeof(float));
  EXPECT_EQ(status.code(), kInvalidArgument) << status.message();
}

}  // namespace
}  // namespace tessera
