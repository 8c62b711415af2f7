package io.tessera.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tessera.proto.tessera.ChannelOrder;
import io.tessera.proto.tessera.ResizeMode;
import io.tessera.tensor.DataType;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * TensorFlow ResizeBilinear (align_corners=false, half_pixel_centers=false) on hand-computed cases:
 * the 2x2->3x3, 3x3->2x2 and 4x4->3x3 values of TF's own kernel tests, checked per channel.
 */
class BilinearResizerTest {
  @Test
  void upscales2x2To3x3LikeTensorFlow() {
    float[] out = resize(gray(2, 2, 1, 2, 3, 4), 3, 3);
    assertChannel(out, 0, 1, 5f / 3, 2, 7f / 3, 3, 10f / 3, 3, 11f / 3, 4);
    assertChannel(out, 2, 1, 5f / 3, 2, 7f / 3, 3, 10f / 3, 3, 11f / 3, 4);
  }

  @Test
  void downscales3x3To2x2And4x4To3x3LikeTensorFlow() {
    assertChannel(resize(gray(3, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9), 2, 2), 1, 1, 2.5f, 5.5f, 7);
    assertChannel(resize(gray(4, 4, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16), 3, 3), 0,
        1, 7f / 3, 11f / 3, 19f / 3, 23f / 3, 27f / 3, 35f / 3, 39f / 3, 43f / 3);
  }

  @Test
  void keepsChannelsApartAndSwapsThemForBgr() {
    byte[] rgb = {10, 20, 30, 40, 50, 60}; // 2x1: two pixels
    DecodedImage image = DecodedImage.packedRgb(rgb, 2, 1, 1);
    float[] asRgb = resize(image, ImageTestSupport.rawConfig(1, 2));
    assertArrayEquals(new float[] {10, 20, 30, 40, 50, 60}, asRgb);
    float[] asBgr = resize(image, ImageTestSupport.rawConfig(1, 2, ResizeMode.STRETCH, ChannelOrder.BGR, DataType.DT_FLOAT));
    assertArrayEquals(new float[] {30, 20, 10, 60, 50, 40}, asBgr);
  }

  @Test
  void appliesTheValueMappingPerChannel() {
    DecodedImage image = DecodedImage.packedRgb(new byte[] {0, (byte) 255, (byte) 127}, 1, 1, 1);
    // x/127.5 - 1 on R and G, then (y - mean) / std per channel on top of it for B.
    ImageConfig config = new ImageConfig("test", "serving_default", "images", 1, 1, ResizeMode.STRETCH,
        ChannelOrder.RGB, new double[] {1 / 127.5, 1 / 127.5, 1 / 127.5 / 2},
        new double[] {-1, -1, (-1 - 0.5) / 2}, DataType.DT_FLOAT, ImageConfig.DEFAULT_IMAGE_KEYS,
        ImageLimits.DEFAULTS, Optional.empty(), 0);
    float[] out = resize(image, config);
    assertEquals(-1f, out[0], 1e-6f);
    assertEquals(1f, out[1], 1e-6f);
    assertEquals((127 / 127.5f - 1 - 0.5f) / 2, out[2], 1e-6f);
  }

  @Test
  void centreCropKeepsTheMiddleOfAWideImage() {
    // 6x2 image, columns 0..5 valued 0,10,..,50; crop to a square 2x2 window = columns 2 and 3.
    byte[] rgb = new byte[6 * 2 * 3];
    for (int y = 0; y < 2; y++) {
      for (int x = 0; x < 6; x++) {
        for (int c = 0; c < 3; c++) {
          rgb[(y * 6 + x) * 3 + c] = (byte) (x * 10);
        }
      }
    }
    DecodedImage image = DecodedImage.packedRgb(rgb, 6, 2, 1);
    float[] cropped = resize(image, ImageTestSupport.rawConfig(2, 2, ResizeMode.CENTER_CROP, ChannelOrder.RGB, DataType.DT_FLOAT));
    assertChannel(cropped, 0, 20, 30, 20, 30);
    float[] stretched = resize(image, ImageTestSupport.rawConfig(2, 2));
    assertChannel(stretched, 0, 0, 30, 0, 30);
  }

  @Test
  void uint8OutputRoundsAndClamps() {
    assertEquals(0, PixelSink.toUint8(-3.2f));
    assertEquals(255, PixelSink.toUint8(300f));
    assertEquals(2, PixelSink.toUint8(5f / 3));
    assertEquals(128, PixelSink.toUint8(127.5f));
  }

  private static DecodedImage gray(int width, int height, int... values) {
    byte[] rgb = new byte[width * height * 3];
    for (int i = 0; i < values.length; i++) {
      rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = (byte) values[i];
    }
    return DecodedImage.packedRgb(rgb, width, height, 1);
  }

  private static float[] resize(DecodedImage image, int height, int width) {
    return resize(image, ImageTestSupport.rawConfig(height, width));
  }

  private static float[] resize(DecodedImage image, ImageConfig config) {
    float[] out = new float[(int) config.elementsPerImage()];
    int[] next = {0};
    BilinearResizer.resize(image, config, v -> out[next[0]++] = v);
    assertEquals(out.length, next[0]);
    return out;
  }

  private static void assertChannel(float[] nhwc, int channel, float... expected) {
    float[] actual = new float[expected.length];
    for (int i = 0; i < expected.length; i++) {
      actual[i] = nhwc[i * 3 + channel];
    }
    assertArrayEquals(expected, actual, 1e-5f);
  }
}
