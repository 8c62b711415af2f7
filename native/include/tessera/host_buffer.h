// Host memory that becomes TensorFlow input tensors without a copy.
//
// A HostBuffer is reference-counted: the Java owner holds one reference, and every TF_Tensor built
// over it (RunCall::AddInput) holds another, released by TensorFlow's deallocator. So memory stays
// valid while TensorFlow still references it (e.g. an output that aliases an input), and is freed
// exactly once, by whoever drops the last reference. Data is aligned to kTensorAlignment bytes, the
// alignment TF_NewTensor needs to skip its defensive copy.
#ifndef TESSERA_HOST_BUFFER_H_
#define TESSERA_HOST_BUFFER_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

#include "tessera/status.h"

namespace tessera {

constexpr size_t kTensorAlignment = 64;

// Where host buffers come from. The default is plain aligned memory; a pinned (page-locked CUDA)
// implementation can replace it at start-up. Implementations must be thread-safe.
class HostAllocator {
 public:
  virtual ~HostAllocator() = default;
  // Returns kTensorAlignment-aligned memory of at least `bytes`, or nullptr.
  virtual void* Allocate(size_t bytes) = 0;
  virtual void Free(void* data, size_t bytes) = 0;
  virtual const char* name() const = 0;
};

// The process-wide allocator used by HostBuffer::Create, chosen once: CUDA pinned memory when the
// CUDA runtime and a device are present (TESSERA_HOST_ALLOCATOR=aligned forces plain memory),
// else 64-byte-aligned ordinary memory.
HostAllocator* DefaultHostAllocator();
// Why DefaultHostAllocator() is what it is (for the start-up log).
const char* HostAllocatorReason();
// The pinned allocator if CUDA is usable, else nullptr with *why_not set (cuda_host_allocator.cc).
HostAllocator* TryCudaPinnedHostAllocator(std::string* why_not);

// Bytes currently held by live HostBuffers (for leak checks and the native-memory gauge).
int64_t LiveHostBufferBytes();

class HostBuffer {
 public:
  // Returns a buffer holding one reference (the caller's), or nullptr with *status set.
  static HostBuffer* Create(size_t bytes, Status* status);

  HostBuffer(const HostBuffer&) = delete;
  HostBuffer& operator=(const HostBuffer&) = delete;

  void* data() const { return data_; }
  size_t size() const { return size_; }

  void Ref() { refs_.fetch_add(1, std::memory_order_relaxed); }
  // Drops one reference; the last one frees the memory and the object.
  void Unref();

 private:
  HostBuffer(HostAllocator* allocator, void* data, size_t size)
      : allocator_(allocator), data_(data), size_(size) {}
  ~HostBuffer();

  HostAllocator* const allocator_;
  void* const data_;
  const size_t size_;
  std::atomic<int> refs_{1};
};

}  // namespace tessera

#endif  // TESSERA_HOST_BUFFER_H_
