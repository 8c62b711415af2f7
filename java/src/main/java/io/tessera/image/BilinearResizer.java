package io.tessera.image;

import io.tessera.proto.tessera.ChannelOrder;
import io.tessera.proto.tessera.ResizeMode;

/**
 * Resizes a decoded image with TensorFlow's ResizeBilinear semantics for align_corners=false,
 * half_pixel_centers=false (the op's defaults): per axis, scale = in / out (float), source
 * coordinate s = i * scale, lower = floor(s), upper = min(lower + 1, in - 1), lerp = s - floor(s);
 * value = top + (bottom - top) * yLerp with top/bottom interpolated along x first, all in float.
 * CENTER_CROP first cuts the largest centred window with the target's aspect ratio and resizes it
 * the same way. Writes NHWC values (one image, H * W * 3) with the config's channel order and
 * value mapping. Pure; thread-safe.
 */
final class BilinearResizer {
  private BilinearResizer() {}

  static void resize(DecodedImage image, ImageConfig config, PixelSink sink) {
    int outH = config.height();
    int outW = config.width();
    int inW = image.width();
    int inH = image.height();
    int[] window = cropWindow(inW, inH, config);
    int x0 = window[0];
    int y0 = window[1];
    inW = window[2];
    inH = window[3];
    Axis xs = Axis.of(inW, outW, x0, image.strideX());
    Axis ys = Axis.of(inH, outH, y0, image.strideY());

    boolean bgr = config.channelOrder() == ChannelOrder.BGR;
    int[] source = new int[3];
    float[] mul = new float[3];
    float[] add = new float[3];
    for (int c = 0; c < 3; c++) {
      source[c] = image.channelOffset(bgr ? 2 - c : c);
      mul[c] = (float) config.multiplierAt(c);
      add[c] = (float) config.addendAt(c);
    }
    byte[] data = image.data();
    long origin = image.origin();
    for (int y = 0; y < outH; y++) {
      long top = origin + ys.lower[y];
      long bottom = origin + ys.upper[y];
      float yLerp = ys.lerp[y];
      for (int x = 0; x < outW; x++) {
        int tl = (int) (top + xs.lower[x]);
        int tr = (int) (top + xs.upper[x]);
        int bl = (int) (bottom + xs.lower[x]);
        int br = (int) (bottom + xs.upper[x]);
        float xLerp = xs.lerp[x];
        for (int c = 0; c < 3; c++) {
          int o = source[c];
          float topLeft = data[tl + o] & 0xFF;
          float topRight = data[tr + o] & 0xFF;
          float bottomLeft = data[bl + o] & 0xFF;
          float bottomRight = data[br + o] & 0xFF;
          float topValue = topLeft + (topRight - topLeft) * xLerp;
          float bottomValue = bottomLeft + (bottomRight - bottomLeft) * xLerp;
          float value = topValue + (bottomValue - topValue) * yLerp;
          sink.put(value * mul[c] + add[c]);
        }
      }
    }
  }

  /**
   * The source window {x, y, width, height} the output is resized from: the whole image for
   * STRETCH; for CENTER_CROP the largest centred window with the target's aspect ratio.
   */
  static int[] cropWindow(int inW, int inH, ImageConfig config) {
    int outH = config.height();
    int outW = config.width();
    if (config.resize() != ResizeMode.CENTER_CROP) {
      return new int[] {0, 0, inW, inH};
    }
    // Compare inW/inH with outW/outH without rounding: inW * outH vs outW * inH.
    if ((long) inW * outH > (long) outW * inH) {
      int cropW = (int) Math.max(1, Math.round((double) inH * outW / outH));
      return new int[] {(inW - cropW) / 2, 0, cropW, inH};
    }
    int cropH = (int) Math.max(1, Math.round((double) inW * outH / outW));
    return new int[] {0, (inH - cropH) / 2, inW, cropH};
  }

  /** Interpolation weights along one axis, with source positions pre-multiplied by the stride. */
  private record Axis(long[] lower, long[] upper, float[] lerp) {
    static Axis of(int in, int out, int start, long stride) {
      long[] lower = new long[out];
      long[] upper = new long[out];
      float[] lerp = new float[out];
      float scale = (float) in / out;
      for (int i = 0; i < out; i++) {
        float s = i * scale;
        float floor = (float) Math.floor(s);
        int lo = Math.max(0, Math.min((int) floor, in - 1));
        int hi = Math.min(lo + 1, in - 1);
        lower[i] = (start + lo) * stride;
        upper[i] = (start + hi) * stride;
        lerp[i] = s - floor;
      }
      return new Axis(lower, upper, lerp);
    }
  }
}
