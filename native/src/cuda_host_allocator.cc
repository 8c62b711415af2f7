// Page-locked (pinned) host memory from the CUDA runtime, resolved at run time with dlopen so the
// library never has a link-time CUDA dependency: on machines without libcudart.so.12 or without a
// GPU the default aligned allocator is used instead (see ChooseHostAllocator).
#include <dlfcn.h>

#include <cstdlib>
#include <string>

#include "tessera/host_buffer.h"

namespace tessera {
namespace {

// The CUDA runtime entry points we use (cudaError_t is an int enum; 0 = cudaSuccess).
using CudaHostAllocFn = int (*)(void** ptr, size_t size, unsigned int flags);
using CudaFreeHostFn = int (*)(void* ptr);
using CudaGetDeviceCountFn = int (*)(int* count);
constexpr unsigned int kCudaHostAllocPortable = 1;  // pinned for every CUDA context

class CudaPinnedHostAllocator final : public HostAllocator {
 public:
  CudaPinnedHostAllocator(CudaHostAllocFn alloc, CudaFreeHostFn free) : alloc_(alloc), free_(free) {}

  void* Allocate(size_t bytes) override {
    void* data = nullptr;
    // cudaHostAlloc returns page-aligned memory, which satisfies kTensorAlignment.
    if (alloc_(&data, bytes == 0 ? kTensorAlignment : bytes, kCudaHostAllocPortable) != 0) return nullptr;
    return data;
  }
  void Free(void* data, size_t) override { free_(data); }
  const char* name() const override { return "cuda-pinned"; }

 private:
  CudaHostAllocFn alloc_;
  CudaFreeHostFn free_;
};

}  // namespace

HostAllocator* TryCudaPinnedHostAllocator(std::string* why_not) {
  void* cudart = dlopen("libcudart.so.12", RTLD_NOW | RTLD_LOCAL);
  if (cudart == nullptr) {
    const char* error = dlerror();
    *why_not = std::string("CUDA runtime not available: ") + (error == nullptr ? "libcudart.so.12 not found" : error);
    return nullptr;
  }
  auto alloc = reinterpret_cast<CudaHostAllocFn>(dlsym(cudart, "cudaHostAlloc"));
  auto free = reinterpret_cast<CudaFreeHostFn>(dlsym(cudart, "cudaFreeHost"));
  auto count = reinterpret_cast<CudaGetDeviceCountFn>(dlsym(cudart, "cudaGetDeviceCount"));
  int devices = 0;
  if (alloc == nullptr || free == nullptr || count == nullptr) {
    *why_not = "libcudart.so.12 lacks cudaHostAlloc/cudaFreeHost/cudaGetDeviceCount";
  } else if (count(&devices) != 0 || devices == 0) {
    *why_not = "no CUDA device (cudaGetDeviceCount found none)";
  } else {
    static CudaPinnedHostAllocator allocator(alloc, free);  // lives for the process, like cudart
    return &allocator;
  }
  dlclose(cudart);
  return nullptr;
}

}  // namespace tessera
