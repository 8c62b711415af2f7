// Baseline: the bare TensorFlow C API in-process, no Tessera code at all. Loads a SavedModel,
// then T threads call TF_SessionRun back to back for D seconds (caller-thread RunOptions, inputs
// in 64-byte-aligned memory, as the recipe measured). Prints one line:
//   name qps p50_us p99_us
// Usage: c_api_bench <export_dir> <input_tensor> <output_tensor> <tiny|mobilenet> <threads> <seconds>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <thread>
#include <vector>

#include "tensorflow_c/tf_c_min.h"

namespace {

void NoDealloc(void*, size_t, void*) {}

TF_Output Resolve(TF_Graph* graph, const std::string& name) {
  size_t colon = name.rfind(':');
  std::string op = name.substr(0, colon);
  int index = colon == std::string::npos ? 0 : std::atoi(name.c_str() + colon + 1);
  TF_Operation* oper = TF_GraphOperationByName(graph, op.c_str());
  if (oper == nullptr) {
    std::fprintf(stderr, "no op %s\n", op.c_str());
    std::exit(2);
  }
  return TF_Output{oper, index};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 7) {
    std::fprintf(stderr, "usage: %s dir input output tiny|mobilenet threads seconds\n", argv[0]);
    return 2;
  }
  const bool mobilenet = std::strcmp(argv[4], "mobilenet") == 0;
  const int threads = std::atoi(argv[5]);
  const double seconds = std::atof(argv[6]);
  TF_Status* status = TF_NewStatus();
  TF_SessionOptions* options = TF_NewSessionOptions();
  TF_Graph* graph = TF_NewGraph();
  const char* tags[] = {"serve"};
  TF_Session* session = TF_LoadSessionFromSavedModel(options, nullptr, argv[1], tags, 1, graph, nullptr, status);
  if (TF_GetCode(status) != TF_OK) {
    std::fprintf(stderr, "load failed: %s\n", TF_Message(status));
    return 1;
  }
  TF_Output input = Resolve(graph, argv[2]);
  TF_Output output = Resolve(graph, argv[3]);
  std::vector<int64_t> dims = mobilenet ? std::vector<int64_t>{1, 224, 224, 3} : std::vector<int64_t>{1, 1};
  size_t elements = 1;
  for (int64_t d : dims) elements *= static_cast<size_t>(d);
  // inter_op_thread_pool = -1: run on the calling thread.
  const char run_options_bytes[] = {0x18, '\xff', '\xff', '\xff', '\xff', '\xff', '\xff', '\xff', '\xff', '\xff', 0x01};
  TF_Buffer run_options{run_options_bytes, sizeof(run_options_bytes), nullptr};

  // process CPU time over the measured window: the baseline's CPU cost per request
  timespec cpu_before{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu_before);
  std::atomic<bool> stop{false};
  std::vector<std::vector<double>> latencies(threads);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      float* data = static_cast<float*>(std::aligned_alloc(64, (elements * sizeof(float) + 63) / 64 * 64));
      for (size_t i = 0; i < elements; ++i) data[i] = 0.5f;
      TF_Status* s = TF_NewStatus();
      while (!stop.load(std::memory_order_relaxed)) {
        auto begin = std::chrono::steady_clock::now();
        TF_Tensor* in = TF_NewTensor(TF_FLOAT, dims.data(), static_cast<int>(dims.size()), data,
                                     elements * sizeof(float), NoDealloc, nullptr);
        TF_Tensor* out = nullptr;
        TF_SessionRun(session, &run_options, &input, &in, 1, &output, &out, 1, nullptr, 0, nullptr, s);
        TF_DeleteTensor(in);
        if (out != nullptr) TF_DeleteTensor(out);
        if (TF_GetCode(s) != TF_OK) {
          std::fprintf(stderr, "run failed: %s\n", TF_Message(s));
          std::exit(1);
        }
        latencies[t].push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - begin).count());
      }
      TF_DeleteStatus(s);
      std::free(data);
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& w : workers) w.join();
  timespec cpu_after{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu_after);
  double cpu_us = (cpu_after.tv_sec - cpu_before.tv_sec) * 1e6 + (cpu_after.tv_nsec - cpu_before.tv_nsec) / 1e3;
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  double p50 = all.empty() ? 0 : all[all.size() / 2];
  double p99 = all.empty() ? 0 : all[std::min(all.size() - 1, all.size() * 99 / 100)];
  std::printf("c-api %.1f %.1f %.1f 0 %.1f\n", all.size() / seconds, p50, p99, all.empty() ? 0 : cpu_us / all.size());
  TF_CloseSession(session, status);
  TF_DeleteSession(session, status);
  TF_DeleteGraph(graph);
  TF_DeleteSessionOptions(options);
  TF_DeleteStatus(status);
  return 0;
}
