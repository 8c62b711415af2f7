package io.tessera.nativebridge;

import java.util.List;
import java.util.logging.Logger;
import org.bytedeco.javacpp.Loader;

/**
 * In the GPU build (Maven profile {@code gpu}), loads the CUDA 12 / cuDNN 9 libraries that
 * TensorFlow's CUDA build dlopens, from org.bytedeco:cuda's redist jar, before TensorFlow starts:
 * TF's later dlopen("libcudart.so.12") etc. then finds them by SONAME. In the CPU build the CUDA
 * presets are absent and this does nothing. Failures are logged, never fatal: TF falls back to CPU.
 */
final class CudaLibraries {
  private static final Logger LOG = Logger.getLogger(CudaLibraries.class.getName());
  /** JavaCPP presets, in dependency order; each loads its library from the redist jar. */
  private static final List<String> PRESETS = List.of(
      "cudart", "cublas", "cufft", "cusolver", "cusparse", "cupti", "cudnn", "nccl");

  private CudaLibraries() {}

  static void preloadIfPresent() {
    try {
      Class.forName("org.bytedeco.cuda.global.cudart", false, CudaLibraries.class.getClassLoader());
    } catch (ClassNotFoundException cpuBuild) {
      return;
    }
    for (String preset : PRESETS) {
      try {
        Loader.load(Class.forName("org.bytedeco.cuda.global." + preset));
      } catch (Throwable e) {
        LOG.warning("GPU build: could not load CUDA library " + preset + " (" + e + "); TensorFlow will use the CPU");
        return;
      }
    }
    LOG.info("GPU build: CUDA runtime libraries loaded from org.bytedeco:cuda");
  }
}
