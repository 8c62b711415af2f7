package io.tessera.nativebridge;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A TensorFlow session over one loaded SavedModel version.
 *
 * <p>Thread-safety: {@link #resolveEndpoint}, {@link #newRunCall} and {@link #recycle} may be used
 * from any number of threads at once. {@link #close()} must only be called when no RunCall is in
 * flight; the servable lifecycle guarantees that with ref-counted handles. Idle run calls are kept
 * in a small pool (a request reuses one instead of allocating it) and are freed with the session.
 */
public final class SavedModelSession extends NativeHandle<TesseraNative.NativeSavedModelSession> {
  /** Idle run calls kept per session: enough for the request threads of a busy host. */
  private static final int IDLE_CALLS = 32;

  private volatile byte[] metaGraphDef;
  private final List<String> devices;
  private final AtomicReferenceArray<RunCall> idleCalls = new AtomicReferenceArray<>(IDLE_CALLS);

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
   * @throws io.tessera.status.ServingException with TensorFlow's status code on failure
   */
  public static SavedModelSession load(String exportDir, List<String> tags, byte[] sessionConfig) {
    TesseraNative.ensureLoaded();
    byte[] config = sessionConfig == null ? new byte[0] : sessionConfig;
    TesseraNative.NativeSavedModelSession pointer =
        TesseraNative.session_load(exportDir, String.join(",", tags), config, config.length);
    return new SavedModelSession(NativeErrors.checkNotNull(pointer));
  }

  /**
   * The serialized MetaGraphDef TensorFlow loaded (the native copy is already freed), handed over
   * once: the session keeps no copy, so what stays in memory is what the caller keeps of it.
   *
   * @throws IllegalStateException on a second call
   */
  public byte[] takeMetaGraphDef() {
    byte[] bytes = metaGraphDef;
    if (bytes == null) {
      throw new IllegalStateException("the MetaGraphDef was already taken");
    }
    metaGraphDef = null;
    return bytes;
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

  /**
   * The static shape TensorFlow's shape inference gave the endpoint's tensor when the graph was
   * loaded (a fact of this version's graph, never of its SignatureDef).
   *
   * @throws io.tessera.status.ServingException for an unknown endpoint
   */
  public GraphShape graphShape(int endpoint) {
    long[] block = new long[2 + GraphShape.MAX_RANK];
    NativeErrors.check(TesseraNative.session_endpoint_shape(pointer(), endpoint, block, block.length));
    int rank = Math.toIntExact(block[1]);
    long[] dims = rank < 0 ? null : Arrays.copyOfRange(block, 2, 2 + rank);
    return new GraphShape(block[0] == 1, dims);
  }

  /**
   * Starts one run with an idle pooled call or a new one. The caller owns it until it hands it to
   * {@link #recycle} (or closes it); either frees the outputs, so views of them end there.
   */
  public RunCall newRunCall() {
    TesseraNative.NativeSavedModelSession session = pointer();
    int start = slotFor(Thread.currentThread());
    for (int i = 0; i < IDLE_CALLS; i++) {
      int slot = (start + i) & (IDLE_CALLS - 1);
      if (idleCalls.get(slot) != null) {
        RunCall call = idleCalls.getAndSet(slot, null);
        if (call != null) {
          return call;
        }
      }
    }
    return new RunCall(NativeErrors.checkNotNull(TesseraNative.run_call_create(session)));
  }

  /** Takes back a call from {@link #newRunCall}: reset and pooled, or freed if the pool is full. */
  public void recycle(RunCall call) {
    if (call.isClosed()) {
      return;
    }
    call.reset();
    int start = slotFor(Thread.currentThread());
    for (int i = 0; i < IDLE_CALLS && !isClosed(); i++) {
      if (idleCalls.compareAndSet((start + i) & (IDLE_CALLS - 1), null, call)) {
        if (isClosed()) {
          freeIdleCalls();  // closed meanwhile: do not leave it pooled
        }
        return;
      }
    }
    call.close();
  }

  private static int slotFor(Thread thread) {
    return (int) (thread.getId() * 0x9E3779B9L >>> 16);
  }

  @Override
  protected void beforeFree() {
    freeIdleCalls();
  }

  private void freeIdleCalls() {
    for (int i = 0; i < IDLE_CALLS; i++) {
      RunCall call = idleCalls.getAndSet(i, null);
      if (call != null) {
        call.close();
      }
    }
  }

  public static String tensorflowVersion() {
    TesseraNative.ensureLoaded();
    return TesseraNative.tf_version();
  }
}
