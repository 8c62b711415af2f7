package io.tessera.nativebridge;

import java.io.File;
import java.util.List;
import java.util.logging.Logger;
import org.bytedeco.javacpp.Loader;

/**
 * In the GPU build (Maven profile {@code gpu}), loads the CUDA 12 / cuDNN 9 libraries that
 * TensorFlow's CUDA build dlopens, from org.bytedeco:cuda's linux-x86_64-redist jar, before
 * TensorFlow starts: they are extracted once into JavaCPP's cache and loaded by full path in
 * dependency order, so TF's later dlopen("libcudart.so.12") etc. finds them by SONAME. In the CPU
 * build the jar is absent and this does nothing. Failures are logged, never fatal: TF falls back
 * to the CPU.
 */
final class CudaLibraries {
  private static final Logger LOG = Logger.getLogger(CudaLibraries.class.getName());
  private static final String DIR = "/org/bytedeco/cuda/linux-x86_64/";
  /** The sonames TF 2.18's DsoLoader opens (native-recipe.md §1), dependencies first. */
  private static final List<String> LIBRARIES = List.of(
      "libcudart.so.12", "libnvJitLink.so.12", "libcublasLt.so.12", "libcublas.so.12", "libcufft.so.11",
      "libcusparse.so.12", "libcusolver.so.11", "libcupti.so.12", "libcudnn.so.9", "libnccl.so.2");

  private CudaLibraries() {}

  static void preloadIfPresent() {
    if (CudaLibraries.class.getResource(DIR + LIBRARIES.get(0)) == null) {
      return;  // CPU build
    }
    try {
      long started = System.nanoTime();
      File[] dirs = Loader.cacheResources(DIR);  // extracts the redist libraries once
      File dir = dirs[0];
      for (String library : LIBRARIES) {
        System.load(new File(dir, library).getAbsolutePath());
      }
      LOG.info("GPU build: CUDA runtime libraries loaded from " + dir + " in "
          + (System.nanoTime() - started) / 1_000_000 + " ms");
    } catch (Throwable e) {
      LOG.warning("GPU build: could not load the CUDA libraries (" + e + "); TensorFlow will use the CPU");
    }
  }
}
