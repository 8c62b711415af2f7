package io.tessera.nativebridge;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A TensorFlow session over one loaded SavedModel version.
 *
 * <p>Thread-safety: {@link #resolveEndpoint} and {@link #newRunCall} may be used from any number
 * of threads at once. {@link #close()} must only be called when no RunCall is in flight; the
 * servable lifecycle guarantees that with ref-counted handles.
 */
public final class SavedModelSession extends NativeHandle<TesseraNative.NativeSavedModelSession> {
  private final byte[] metaGraphDef;
  private final List<String> devices;

  private SavedModelSession(TesseraNative.NativeSavedModelSession pointer) {
    super(pointer, TesseraNative::session_free);
    byte[] bytes = new byte[Math.toIntExact(TesseraNative.session_meta_graph_size(pointer))];
    NativeErrors.check(TesseraNative.session_take_meta_graph(pointer, bytes));
    this.metaGraphDef = bytes;
    List<String> names = new ArrayList<>();
    for (int i = 0; i < TesseraNative.session_device_count(pointer); i++) {
      names.add(TesseraNative.session_device_name(pointer, i));
    }
    this.devices = Collections.unmodifiableList(names);
  }

  /**
   * Loads a SavedModel directory.
   *
   * @param tags MetaGraph tag set, e.g. {@code ["serve"]}
   * @param sessionConfig serialized {@code tensorflow.ConfigProto}, or empty for TF defaults
   * @throws io.tessera.core.ServingException with TensorFlow's status code on failure
   */
  public static SavedModelSession load(String exportDir, List<String> tags, byte[] sessionConfig) {
    TesseraNative.ensureLoaded();
    byte[] config = sessionConfig == null ? new byte[0] : sessionConfig;
    TesseraNative.NativeSavedModelSession pointer =
        TesseraNative.session_load(exportDir, String.join(",", tags), config, config.length);
    return new SavedModelSession(NativeErrors.checkNotNull(pointer));
  }

  /** The serialized MetaGraphDef TensorFlow loaded (the native copy is already freed). */
  public byte[] metaGraphDef() {
    return metaGraphDef;
  }

  /** Devices the session sees, e.g. {@code /job:localhost/replica:0/task:0/device:CPU:0}. */
  public List<String> devices() {
    return devices;
  }

  /** Resolves a graph tensor name ("op:0") to an endpoint id for {@link RunCall}. */
  public int resolveEndpoint(String tensorName) {
    int id = TesseraNative.session_resolve_endpoint(pointer(), tensorName);
    if (id < 0) {
      throw NativeErrors.lastError(TesseraNative.tessera_last_error_code());
    }
    return id;
  }

  /** Starts one run; the caller closes the returned call (which owns the outputs). */
  public RunCall newRunCall() {
    return new RunCall(NativeErrors.checkNotNull(TesseraNative.run_call_create(pointer())));
  }

  public static String tensorflowVersion() {
    TesseraNative.ensureLoaded();
    return TesseraNative.tf_version();
  }
}
