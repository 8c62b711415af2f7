#include "tessera/host_buffer.h"

#include <cstdlib>
#include <new>
#include <string>

namespace tessera {
namespace {

std::atomic<int64_t> g_live_bytes{0};

class AlignedHostAllocator final : public HostAllocator {
 public:
  void* Allocate(size_t bytes) override {
    // aligned_alloc needs a size that is a multiple of the alignment; never ask for zero bytes.
    size_t rounded = (bytes + kTensorAlignment - 1) / kTensorAlignment * kTensorAlignment;
    if (rounded == 0) rounded = kTensorAlignment;
    return std::aligned_alloc(kTensorAlignment, rounded);
  }
  void Free(void* data, size_t) override { std::free(data); }
  const char* name() const override { return "aligned-host"; }
};

struct AllocatorChoice {
  HostAllocator* allocator;
  std::string reason;
};

AllocatorChoice Choose() {
  static AlignedHostAllocator aligned;
  const char* forced = std::getenv("TESSERA_HOST_ALLOCATOR");
  if (forced != nullptr && std::string(forced) == "aligned") {
    return {&aligned, "TESSERA_HOST_ALLOCATOR=aligned"};
  }
  std::string why_not;
  HostAllocator* pinned = TryCudaPinnedHostAllocator(&why_not);
  if (pinned != nullptr) return {pinned, "CUDA device present: input buffers are page-locked"};
  return {&aligned, why_not};
}

const AllocatorChoice& Chosen() {
  static const AllocatorChoice choice = Choose();
  return choice;
}

}  // namespace

HostAllocator* DefaultHostAllocator() { return Chosen().allocator; }

const char* HostAllocatorReason() { return Chosen().reason.c_str(); }

int64_t LiveHostBufferBytes() { return g_live_bytes.load(std::memory_order_relaxed); }

HostBuffer* HostBuffer::Create(size_t bytes, Status* status) {
  HostAllocator* allocator = DefaultHostAllocator();
  void* data = allocator->Allocate(bytes);
  if (data == nullptr) {
    *status = Status(kResourceExhausted,
                     "could not allocate " + std::to_string(bytes) + " bytes of tensor memory");
    return nullptr;
  }
  HostBuffer* buffer = new (std::nothrow) HostBuffer(allocator, data, bytes);
  if (buffer == nullptr) {
    allocator->Free(data, bytes);
    *status = Status(kResourceExhausted, "out of memory");
    return nullptr;
  }
  g_live_bytes.fetch_add(static_cast<int64_t>(bytes), std::memory_order_relaxed);
  return buffer;
}

void HostBuffer::Unref() {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
}

HostBuffer::~HostBuffer() {
  allocator_->Free(data_, size_);
  g_live_bytes.fetch_sub(static_cast<int64_t>(size_), std::memory_order_relaxed);
}

}  // namespace tessera
