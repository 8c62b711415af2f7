package io.tessera.nativebridge;

import java.nio.ByteBuffer;
import java.nio.LongBuffer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Name;
import org.bytedeco.javacpp.annotation.Namespace;
import org.bytedeco.javacpp.annotation.Opaque;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * The only class with {@code native} methods: a JavaCPP binding of {@code native/include/tessera/api.h}.
 *
 * <p>Package-private on purpose: typed owners ({@link HostBuffer}, {@link SavedModelSession},
 * {@link RunCall}) wrap every call, and {@link NativeErrors} turns failure codes into exceptions.
 * Load order matters: TensorFlow's own natives are loaded first through JavaCPP's Loader
 * (tensorflow-core-native), then ours, which binds to that single copy by SONAME. Loading ours
 * first would bring a second TensorFlow into a JVM that later touches TF Java and abort the process.
 */
@Platform(include = "tessera/api.h", link = "tessera_core")
@Namespace("tessera_api")
final class TesseraNative {
  static {
    CudaLibraries.preloadIfPresent();
    Loader.load(org.tensorflow.internal.c_api.global.tensorflow.class);
    Loader.load();
  }

  private TesseraNative() {}

  /** Forces class initialisation (library loading) at a chosen moment. */
  static void ensureLoaded() {}

  @Opaque @Namespace("::tessera") @Name("HostBuffer") static final class NativeHostBuffer extends Pointer {
    NativeHostBuffer() {}
  }

  @Opaque @Namespace("::tessera") @Name("SavedModelSession") static final class NativeSavedModelSession extends Pointer {
    NativeSavedModelSession() {}
  }

  @Opaque @Namespace("::tessera") @Name("RunCall") static final class NativeRunCall extends Pointer {
    NativeRunCall() {}
  }

  @Opaque @Namespace("::tessera") @Name("ImageGraph") static final class NativeImageGraph extends Pointer {
    NativeImageGraph() {}
  }

  @Opaque @Namespace("::tessera") @Name("BatchingSession") static final class NativeBatchingSession extends Pointer {
    NativeBatchingSession() {}
  }

  @Opaque @Namespace("::tessera") @Name("BatchThreadsRef") static final class NativeBatchThreads extends Pointer {
    NativeBatchThreads() {}
  }

  static native NativeBatchThreads batch_threads_create(int numThreads);

  static native void batch_threads_free(NativeBatchThreads threads);

  /** {@code threads} null: puppet mode (tests); {@code settings}: NativeAbi.SETTING_* slots. */
  static native NativeBatchingSession batching_session_create(
      NativeSavedModelSession session,
      NativeBatchThreads threads,
      @Cast("const int64_t*") long[] settings,
      @Cast("const int64_t*") long[] allowedBatchSizes,
      int numAllowed);

  static native int batching_session_update(
      NativeBatchingSession batching,
      @Cast("const int64_t*") long[] settings,
      @Cast("const int64_t*") long[] allowedBatchSizes,
      int numAllowed);

  static native @Cast("int64_t") long batching_session_pending(NativeBatchingSession batching);

  static native int batching_session_process_one(NativeBatchingSession batching, @Cast("bool") boolean force);

  static native void batching_session_free(NativeBatchingSession batching);

  static native int batching_session_run(
      NativeBatchingSession batching, NativeRunCall call, @Cast("int64_t") long timeoutMs);

  static native @Cast("int64_t") long batching_session_stat(NativeBatchingSession batching, int which);

  static native @Cast("const char*") String tessera_last_error();

  static native int tessera_last_error_code();

  static native @Cast("const char*") String tf_version();

  static native NativeHostBuffer host_buffer_create(@Cast("int64_t") long bytes);

  static native void host_buffer_unref(NativeHostBuffer buffer);

  static native @Cast("void*") Pointer host_buffer_data(NativeHostBuffer buffer);

  static native @Cast("int64_t") long live_host_buffer_bytes();

  static native @Cast("const char*") String host_allocator_name();

  static native @Cast("const char*") String host_allocator_reason();

  static native NativeSavedModelSession session_load(
      @Cast("const char*") String exportDir,
      @Cast("const char*") String tagsCsv,
      @Cast("const char*") byte[] config,
      @Cast("int64_t") long configLen);

  static native void session_free(NativeSavedModelSession session);

  static native @Cast("int64_t") long session_meta_graph_size(NativeSavedModelSession session);

  static native int session_take_meta_graph(
      NativeSavedModelSession session, @Cast("void*") byte[] out);

  static native int session_resolve_endpoint(
      NativeSavedModelSession session, @Cast("const char*") String tensorName);

  /** {@code out}: [placeholder 0/1, rank (-1 unknown), dims (-1 unknown)...]; see api.h. */
  static native int session_endpoint_shape(
      NativeSavedModelSession session, int endpoint, @Cast("int64_t*") long[] out, int capacity);

  static native int session_device_count(NativeSavedModelSession session);

  static native @Cast("const char*") String session_device_name(
      NativeSavedModelSession session, int index);

  static native NativeRunCall run_call_create(NativeSavedModelSession session);

  static native void run_call_free(NativeRunCall call);

  static native int run_call_add_input(
      NativeRunCall call,
      int endpoint,
      int dtype,
      @Cast("const int64_t*") LongBuffer dims,
      int numDims,
      NativeHostBuffer buffer,
      @Cast("int64_t") long offset,
      @Cast("int64_t") long bytes);

  static native int run_call_add_string_input(
      NativeRunCall call,
      int endpoint,
      @Cast("const int64_t*") long[] dims,
      int numDims,
      @Cast("const void*") ByteBuffer blob,
      @Cast("const int64_t*") long[] lengths,
      @Cast("int64_t") long count);

  static native int run_call_add_output(NativeRunCall call, int endpoint);

  static native int run_call_run(
      NativeRunCall call, @Cast("bool") boolean callerThread, @Cast("int64_t") long timeoutMs);

  static native void run_call_reset(NativeRunCall call);

  static native int run_call_take_staged(NativeRunCall call);

  static native @Cast("void*") Pointer run_call_feed_block(NativeRunCall call);

  static native @Cast("int64_t") long run_call_feed_block_bytes();

  static native @Cast("const void*") Pointer run_call_layout(NativeRunCall call);

  static native @Cast("int64_t") long run_call_layout_bytes();

  static native int run_call_output_dtype(NativeRunCall call, int index);

  static native int run_call_output_num_dims(NativeRunCall call, int index);

  static native @Cast("int64_t") long run_call_output_dim(NativeRunCall call, int index, int dim);

  static native @Cast("int64_t") long run_call_output_bytes(NativeRunCall call, int index);

  static native @Cast("void*") Pointer run_call_output_data(NativeRunCall call, int index);

  static native @Cast("int64_t") long run_call_output_string_size(
      NativeRunCall call, int index, @Cast("int64_t") long element);

  static native @Cast("const void*") Pointer run_call_output_string_data(
      NativeRunCall call, int index, @Cast("int64_t") long element);

  static native NativeImageGraph image_graph_create(int height, int width, @Cast("bool") boolean bgr,
      @Cast("bool") boolean uint8Output, @Cast("const float*") float[] multiplier,
      @Cast("const float*") float[] addend);

  static native void image_graph_free(NativeImageGraph graph);

  static native int image_graph_run(NativeImageGraph graph, @Cast("const void*") ByteBuffer encoded,
      @Cast("int64_t") long encodedBytes, @Cast("const int32_t*") int[] window,
      @Cast("int64_t") long timeoutMs, NativeHostBuffer out, @Cast("int64_t") long offset,
      @Cast("int64_t") long bytes);

  static native int image_graph_run(NativeImageGraph graph, @Cast("const void*") byte[] encoded,
      @Cast("int64_t") long encodedBytes, @Cast("const int32_t*") int[] window,
      @Cast("int64_t") long timeoutMs, NativeHostBuffer out, @Cast("int64_t") long offset,
      @Cast("int64_t") long bytes);
}
