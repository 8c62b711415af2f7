package io.tessera.nativebridge;

import java.nio.ByteBuffer;

/**
 * TensorFlow's own image preprocessing for one model version (native/include/tessera/image_graph.h):
 * DecodeImage, orientation, crop, ResizeBilinear (align_corners=false, half_pixel_centers=false),
 * channel order and value mapping, run by TensorFlow on the calling thread, the result written
 * into an aligned {@link HostBuffer}. {@link #run} is thread-safe; {@link #close} must follow the
 * last run (the version's lifecycle guarantees it).
 */
public final class ImageGraph extends NativeHandle<TesseraNative.NativeImageGraph> {
  /** Slots of the window passed to {@link #run}. */
  public static final int FLIP_ROWS = 0;
  public static final int FLIP_COLUMNS = 1;
  public static final int TRANSPOSE = 2;
  public static final int TOP = 3;
  public static final int LEFT = 4;
  public static final int HEIGHT = 5;
  public static final int WIDTH = 6;
  public static final int WINDOW_SLOTS = 7;

  private final long outputBytes;

  private ImageGraph(TesseraNative.NativeImageGraph pointer, long outputBytes) {
    super(pointer, TesseraNative::image_graph_free);
    this.outputBytes = outputBytes;
  }

  /**
   * @param multiplier per output channel, {@code out = v * multiplier + addend}
   * @param uint8Output rounded, clamped to [0, 255] and cast; else float32
   */
  public static ImageGraph create(int height, int width, boolean bgr, boolean uint8Output,
      float[] multiplier, float[] addend) {
    if (multiplier.length != 3 || addend.length != 3) {
      throw new IllegalArgumentException("3 multipliers and 3 addends");
    }
    TesseraNative.ensureLoaded();
    TesseraNative.NativeImageGraph pointer = NativeErrors.checkNotNull(
        TesseraNative.image_graph_create(height, width, bgr, uint8Output, multiplier, addend));
    return new ImageGraph(pointer, (long) height * width * 3 * (uint8Output ? 1 : Float.BYTES));
  }

  /** Bytes one image occupies in the output (height * width * 3 elements). */
  public long outputBytes() {
    return outputBytes;
  }

  /**
   * Decodes {@code encoded} (position to limit; a direct buffer is read in place) into
   * {@link #outputBytes()} bytes at {@code offset} of {@code out}.
   *
   * @param window {@link #WINDOW_SLOTS} values, indexed by the slot constants
   * @param timeoutMs TensorFlow's run timeout; 0 for none
   * @throws io.tessera.status.ServingException with TensorFlow's code and first message line
   */
  public void run(ByteBuffer encoded, int[] window, long timeoutMs, HostBuffer out, long offset) {
    checkWindow(window);
    int code;
    if (encoded.isDirect()) {
      code = TesseraNative.image_graph_run(pointer(), encoded.slice(), encoded.remaining(), window,
          timeoutMs, out.nativeBuffer(), offset, outputBytes);
    } else if (encoded.hasArray() && encoded.arrayOffset() + encoded.position() == 0) {
      code = TesseraNative.image_graph_run(pointer(), encoded.array(), encoded.remaining(), window,
          timeoutMs, out.nativeBuffer(), offset, outputBytes);
    } else {
      byte[] copy = new byte[encoded.remaining()];
      encoded.duplicate().get(copy);
      code = TesseraNative.image_graph_run(pointer(), copy, copy.length, window, timeoutMs,
          out.nativeBuffer(), offset, outputBytes);
    }
    NativeErrors.check(code);
  }

  private static void checkWindow(int[] window) {
    if (window.length != WINDOW_SLOTS) {
      throw new IllegalArgumentException("window needs " + WINDOW_SLOTS + " slots");
    }
  }
}
