package io.tessera.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * JPEGs written by ImageIO with an APP1 Exif segment injected by hand: all 8 orientations, in both
 * TIFF byte orders, are read and applied (displayed size and corner colours).
 */
class ExifOrientationTest {
  private static final int W = 64;
  private static final int H = 32;

  /** Stored quadrants: red top-left, green top-right, blue bottom-left, white bottom-right. */
  @ParameterizedTest
  @CsvSource({
      "1, FF0000, 00FF00, true", "2, 00FF00, FF0000, false", "3, FFFFFF, 0000FF, true",
      "4, 0000FF, FFFFFF, false", "5, FF0000, 0000FF, true", "6, 0000FF, FF0000, false",
      "7, FFFFFF, 00FF00, true", "8, 00FF00, FFFFFF, false"})
  void appliesEveryOrientation(int orientation, String topLeftHex, String topRightHex, boolean bigEndian) {
    byte[] jpeg = withExif(ImageTestSupport.encode(ImageTestSupport.quadrants(W, H), "jpeg"),
        orientation, bigEndian);
    assertEquals(orientation, ExifOrientation.read(jpeg));
    ImageDecoder.decode(jpeg, ImageLimits.DEFAULTS, DecodeDeadline.NONE, PixelReservation.NONE, image -> {
      boolean swapped = orientation >= 5;
      assertEquals(swapped ? H : W, image.width());
      assertEquals(swapped ? W : H, image.height());
      assertColour(Integer.parseInt(topLeftHex, 16), image, 3, 3);
      assertColour(Integer.parseInt(topRightHex, 16), image, image.width() - 4, 3);
      // The resizer reads the displayed image too: a 2x2 resize samples the four quadrants.
      float[] out = new float[12];
      int[] next = {0};
      BilinearResizer.resize(image, ImageTestSupport.rawConfig(2, 2), v -> out[next[0]++] = v);
      assertEquals(Integer.parseInt(topLeftHex, 16), rgbOf(out, 0));
      assertEquals(Integer.parseInt(topRightHex, 16), rgbOf(out, 1));
      return null;
    });
  }

  @Test
  void photosWithoutOrientationAndNonJpegsReadAsOne() throws Exception {
    assertEquals(1, ExifOrientation.read(Files.readAllBytes(ImageTestSupport.shared("images/parrot.jpg"))));
    assertEquals(1, ExifOrientation.read(Files.readAllBytes(ImageTestSupport.shared("images/coffee.jpg"))));
    assertEquals(1, ExifOrientation.read(new byte[] {(byte) 0x89, 'P', 'N', 'G'}));
    assertEquals(1, ExifOrientation.read(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE1, 0x7F}));
    byte[] truncatedExif = withExif(ImageTestSupport.encode(ImageTestSupport.quadrants(W, H), "jpeg"), 6, true);
    byte[] cut = java.util.Arrays.copyOf(truncatedExif, 30); // segment length runs past the end
    assertEquals(1, ExifOrientation.read(cut));
  }

  private static int rgbOf(float[] nhwc, int pixel) {
    int r = Math.round(nhwc[pixel * 3]);
    int g = Math.round(nhwc[pixel * 3 + 1]);
    int b = Math.round(nhwc[pixel * 3 + 2]);
    return snap(r) << 16 | snap(g) << 8 | snap(b);
  }

  private static int snap(int v) {
    return v > 128 ? 0xFF : 0;
  }

  private static void assertColour(int expected, DecodedImage image, int x, int y) {
    for (int c = 0; c < 3; c++) {
      int want = expected >> (16 - 8 * c) & 0xFF;
      int got = image.sample(x, y, c);
      assertTrue(Math.abs(want - got) < 40, "channel " + c + " at " + x + "," + y + ": " + got + " vs " + want);
    }
  }

  /** Inserts an APP1 Exif segment (IFD0 with only the orientation tag) after the JFIF APP0. */
  static byte[] withExif(byte[] jpeg, int orientation, boolean bigEndian) {
    ByteArrayOutputStream tiff = new ByteArrayOutputStream();
    if (bigEndian) {
      tiff.writeBytes(new byte[] {'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1,
          0, (byte) orientation, 0, 0, 0, 0, 0, 0});
    } else {
      tiff.writeBytes(new byte[] {'I', 'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0,
          (byte) orientation, 0, 0, 0, 0, 0, 0, 0});
    }
    byte[] payload = tiff.toByteArray();
    int length = 2 + 6 + payload.length;
    int app0End = 2 + 2 + ((jpeg[4] & 0xFF) << 8 | (jpeg[5] & 0xFF)); // SOI, then APP0 marker + length
    assertEquals(0xE0, jpeg[3] & 0xFF, "ImageIO writes JFIF APP0 first");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(jpeg, 0, app0End);
    out.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xE1, (byte) (length >> 8), (byte) length,
        'E', 'x', 'i', 'f', 0, 0});
    out.writeBytes(payload);
    out.write(jpeg, app0End, jpeg.length - app0End);
    return out.toByteArray();
  }
}
