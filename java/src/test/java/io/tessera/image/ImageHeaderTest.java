package io.tessera.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Decoder cost read from crafted headers: real bytes per pixel (PNG IHDR, JPEG SOF), JPEG scans. */
class ImageHeaderTest {
  @ParameterizedTest(name = "{0}-bit colour type {1}: {2} bytes for 10x4")
  @CsvSource({
      "8, 2, 120",   // RGB: the raster is wrapped, 3 B/px
      "8, 6, 160",   // RGBA: 4 B/px
      "8, 0, 40",    // gray
      "8, 4, 80",    // gray + alpha
      "16, 2, 360",  // 6 B/px raster + 3 B/px RGB copy
      "16, 6, 440",  // 8 + 3
      "16, 0, 200",  // 2 + 3
      "8, 3, 160",   // palette index + RGB copy
      "4, 3, 140",   // packed: 5 bytes a row + RGB copy
      "1, 0, 128"})  // packed: 2 bytes a row + RGB copy
  void pngBytesPerPixelFollowBitDepthAndChannels(int depth, int colorType, long bytes) {
    ImageHeader header = ImageHeader.read(ihdrOnly(10, 4, depth, colorType));
    assertEquals("png", header.format());
    assertEquals(10, header.width());
    assertEquals(4, header.height());
    assertEquals(bytes, header.decodeBytes());
    assertEquals(1, header.scans());
  }

  @Test
  void theSixteenBitPngBombCostsNineBytesAPixel() {
    ImageHeader header = ImageHeader.read(ihdrOnly(6000, 6600, 16, 2));
    assertEquals(6000L * 6600 * 9, header.decodeBytes());
  }

  @Test
  void pngTransparencyAddsTheAlphaChannelImageIoCreates() {
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    png.writeBytes(ihdrOnly(10, 4, 8, 2));
    ImageBombs.chunk(png, "tRNS", new byte[6]);
    ImageBombs.chunk(png, "IDAT", new byte[0]);
    assertEquals(160, ImageHeader.read(png.toByteArray()).decodeBytes());
  }

  @Test
  void invalidPngHeadersAreClientErrors() {
    assertInvalid(ihdrOnly(10, 4, 16, 3), "bit depth 16 with colour type 3");
    assertInvalid(ihdrOnly(10, 4, 8, 5), "colour type 5");
    assertInvalid(ihdrOnly(0, 4, 8, 2), "invalid size 0x4");
    assertInvalid(Arrays.copyOf(ihdrOnly(10, 4, 8, 2), 20), "no IHDR");
  }

  @Test
  void jpegScansAreCountedFromTheMarkersOnly() {
    ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
    jpeg.writeBytes(bytes(0xFF, 0xD8));
    segment(jpeg, 0xE0, bytes(0xFF, 0xDA, 0xFF, 0xDA)); // SOS-looking bytes inside APP0
    segment(jpeg, 0xC2, sof(16, 16, 0x22, 0x11, 0x11)); // progressive, 4:2:0
    for (int scan = 0; scan < 3; scan++) {
      segment(jpeg, 0xDA, new byte[10]);
      // entropy-coded data: a stuffed 0xFF00, a restart marker, then fill bytes before the next marker
      jpeg.writeBytes(bytes(0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD3, 0x56, 0xFF, 0xFF));
    }
    jpeg.writeBytes(bytes(0xD9, 0xFF, 0xDA, 0xFF, 0xDA)); // EOI, then junk that is not a scan
    ImageHeader header = ImageHeader.read(jpeg.toByteArray());
    assertEquals(3, header.scans());
    assertEquals(16, header.width());
    assertEquals(16, header.height());
    // 768 raster bytes + coefficients: Y 2x2 blocks, Cb and Cr 1 block each, 128 bytes a block
    assertEquals(768 + 6 * 128, header.decodeBytes());
  }

  @Test
  void baselineJpegCostsItsRasterOnly() {
    ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
    jpeg.writeBytes(bytes(0xFF, 0xD8));
    segment(jpeg, 0xC0, sof(6000, 8000, 0x22, 0x11, 0x11)); // 48 MP baseline
    segment(jpeg, 0xDA, new byte[10]);
    jpeg.writeBytes(bytes(0x00, 0xFF, 0xD9));
    ImageHeader header = ImageHeader.read(jpeg.toByteArray());
    assertEquals(1, header.scans());
    assertEquals(8000L * 6000 * 3, header.decodeBytes());
    assertTrue(header.decodeBytes() <= ImageLimits.DEFAULT_MAX_DECODED_BYTES);
    assertTrue(header.pixels() <= ImageLimits.DEFAULT_MAX_DECODED_PIXELS);
  }

  @Test
  void jpegWithoutAFrameHeaderIsInvalid() {
    assertInvalid(bytes(0xFF, 0xD8, 0xFF, 0xD9), "no frame header");
    assertInvalid(bytes(0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00, 0x12), "no marker at byte 8");
  }

  @Test
  void imageIoProgressiveJpegsHaveAboutTenScansAndTheBombFiveHundredMore() {
    byte[] progressive = ImageBombs.progressiveJpeg(64, 48);
    ImageHeader header = ImageHeader.read(progressive);
    assertEquals(64, header.width());
    assertEquals(48, header.height());
    assertEquals(10, header.scans());
    assertEquals(510, ImageHeader.read(ImageBombs.duplicateLastScan(progressive, 500)).scans());
    assertEquals(1, ImageHeader.read(ImageTestSupport.encode(ImageTestSupport.quadrants(64, 48), "jpeg")).scans());
  }

  private static void assertInvalid(byte[] bytes, String expected) {
    ServingException e = assertThrows(ServingException.class, () -> ImageHeader.read(bytes));
    assertEquals(StatusCode.INVALID_ARGUMENT, e.code());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  /** PNG signature and IHDR, nothing else (enough for the header). */
  static byte[] ihdrOnly(int width, int height, int depth, int colorType) {
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    png.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
    ImageBombs.chunk(png, "IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height)
        .put((byte) depth).put((byte) colorType).put((byte) 0).put((byte) 0).put((byte) 0).array());
    return png.toByteArray();
  }

  /** SOF payload: 8-bit precision, then one (id, sampling, table) triple per component. */
  private static byte[] sof(int height, int width, int... sampling) {
    ByteBuffer b = ByteBuffer.allocate(6 + 3 * sampling.length);
    b.put((byte) 8).putShort((short) height).putShort((short) width).put((byte) sampling.length);
    for (int c = 0; c < sampling.length; c++) {
      b.put((byte) (c + 1)).put((byte) sampling[c]).put((byte) 0);
    }
    return b.array();
  }

  private static void segment(ByteArrayOutputStream out, int marker, byte[] payload) {
    out.writeBytes(bytes(0xFF, marker, (payload.length + 2) >> 8, (payload.length + 2) & 0xFF));
    out.writeBytes(payload);
  }

  private static byte[] bytes(int... values) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) values[i];
    }
    return b;
  }
}
