package io.tessera.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.nativebridge.HostBuffer;
import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import io.tessera.tensor.InputTensor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Bad bytes (empty, non-image, corrupt, truncated, huge by header, over the byte limit) are
 * INVALID_ARGUMENT with a clear message, in a batch too, and leave no native buffer behind;
 * grayscale and RGBA PNGs decode to RGB.
 */
class ImageDecoderErrorsTest {
  private static final DecodePool POOL = new DecodePool(2, 16, 64L << 20);
  private static final ImagePreprocessor PREPROCESSOR =
      new ImagePreprocessor(ImageTestSupport.rawConfig(8, 8), POOL);

  @AfterAll
  static void stopPool() {
    PREPROCESSOR.close();
    POOL.shutdown();
  }

  @Test
  void emptyAndNonImageBytes() {
    assertInvalid(new byte[0], "empty");
    assertInvalid("{\"not\": \"an image\"}".getBytes(StandardCharsets.UTF_8), "not a JPEG or PNG");
    assertInvalid(new byte[] {'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0}, "not a JPEG or PNG");
  }

  @Test
  void corruptJpegAndPng() {
    byte[] jpegHeaderThenNoise = new byte[4096];
    new java.util.Random(7).nextBytes(jpegHeaderThenNoise);
    jpegHeaderThenNoise[0] = (byte) 0xFF;
    jpegHeaderThenNoise[1] = (byte) 0xD8;
    jpegHeaderThenNoise[2] = (byte) 0xFF;
    assertInvalid(jpegHeaderThenNoise, "corrupt");
    byte[] png = ImageTestSupport.encode(ImageTestSupport.quadrants(32, 32), "png");
    png[png.length / 2] ^= 0x5A; // breaks the IDAT CRC / zlib stream
    assertInvalid(png, "corrupt");
  }

  @Test
  void truncatedJpegAndPng() throws Exception {
    byte[] photo = Files.readAllBytes(ImageTestSupport.shared("images/coffee.jpg"));
    assertInvalid(Arrays.copyOf(photo, photo.length / 2), "corrupt or truncated jpeg");
    assertInvalid(Arrays.copyOf(photo, 100), "corrupt or truncated jpeg");
    byte[] png = ImageTestSupport.encode(ImageTestSupport.quadrants(64, 64), "png");
    assertInvalid(Arrays.copyOf(png, png.length / 2), "corrupt or truncated png");
  }

  @Test
  void hugeImagesAreRejectedFromTheHeaderBeforeDecoding() {
    assertInvalid(pngHeader(100_000, 100_000), "100000x100000 = 10000000000 pixels; the limit is 50000000 (max_decoded_pixels)");
    assertInvalid(jpegHeader(60_000, 60_000), "60000x60000");
  }

  @Test
  void overTheEncodedByteLimit() {
    ImageConfig small = ImageTestSupport.rawConfig(8, 8, new ImageLimits(100, 1000, 1 << 20, 1 << 20, 4, 10, 1000));
    ServingException e = assertThrows(ServingException.class, () -> ImageTestSupport.decodeOnce(small, POOL,
        List.of(ImageTestSupport.encode(ImageTestSupport.quadrants(64, 64), "png"))));
    assertEquals(StatusCode.INVALID_ARGUMENT, e.code());
    assertTrue(e.getMessage().contains("the limit is 100"), e.getMessage());
  }

  @Test
  void oneBadImageFailsTheBatchNamingItAndFreesTheBuffer() {
    byte[] good = ImageTestSupport.encode(ImageTestSupport.quadrants(64, 32), "jpeg");
    long before = HostBuffer.liveBytes();
    List<byte[]> batch = new ArrayList<>(List.of(good, good, "garbage".getBytes(StandardCharsets.UTF_8), good));
    ServingException e = assertThrows(ServingException.class, () -> PREPROCESSOR.decodeBatch(batch));
    assertEquals(StatusCode.INVALID_ARGUMENT, e.code());
    assertTrue(e.getMessage().startsWith("image 2: Invalid image:"), e.getMessage());
    assertEquals(before, HostBuffer.liveBytes(), "native buffer freed after the failure");
    batch.set(2, good);
    try (InputTensor tensor = PREPROCESSOR.decodeBatch(batch)) {
      assertEquals(4 * 8 * 8 * 3 * 4, tensor.byteSize());
    }
    assertEquals(before, HostBuffer.liveBytes());
  }

  @Test
  void grayscaleAndAlphaPngsDecodeToRgb() {
    BufferedImage gray = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
    gray.getRaster().setSample(1, 2, 0, 200);
    ImageDecoder.decode(ImageTestSupport.encode(gray, "png"), ImageLimits.DEFAULTS, DecodeDeadline.NONE, PixelReservation.NONE, image -> {
      for (int c = 0; c < 3; c++) {
        assertEquals(200, image.sample(1, 2, c));
        assertEquals(0, image.sample(0, 0, c));
      }
      return null;
    });
    BufferedImage rgba = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
    rgba.setRGB(0, 0, 0x10203040);
    rgba.setRGB(1, 0, 0xFFA0B0C0);
    ImageDecoder.decode(ImageTestSupport.encode(rgba, "png"), ImageLimits.DEFAULTS, DecodeDeadline.NONE, PixelReservation.NONE, image -> {
      assertEquals(List.of(0x20, 0x30, 0x40, 0xA0, 0xB0, 0xC0), List.of(image.sample(0, 0, 0),
          image.sample(0, 0, 1), image.sample(0, 0, 2), image.sample(1, 0, 0), image.sample(1, 0, 1),
          image.sample(1, 0, 2)));
      return null;
    });
    BufferedImage gray16 = new BufferedImage(2, 1, BufferedImage.TYPE_USHORT_GRAY);
    gray16.getRaster().setSample(0, 0, 0, 65535);
    gray16.getRaster().setSample(1, 0, 0, 257 * 100);
    ImageDecoder.decode(ImageTestSupport.encode(gray16, "png"), ImageLimits.DEFAULTS, DecodeDeadline.NONE, PixelReservation.NONE, image -> {
      assertEquals(255, image.sample(0, 0, 1));
      assertEquals(100, image.sample(1, 0, 2));
      return null;
    });
  }

  private static void assertInvalid(byte[] bytes, String expectedFragment) {
    long before = HostBuffer.liveBytes();
    ServingException e = assertThrows(ServingException.class, () -> PREPROCESSOR.decodeBatch(List.of(bytes)));
    assertEquals(StatusCode.INVALID_ARGUMENT, e.code(), e.getMessage());
    assertTrue(e.getMessage().contains(expectedFragment), e.getMessage());
    assertEquals(before, HostBuffer.liveBytes(), "native buffer freed after the failure");
  }

  /** A PNG signature and a valid IHDR chunk claiming width x height, then nothing. */
  private static byte[] pngHeader(int width, int height) {
    ByteBuffer ihdr = ByteBuffer.allocate(17);
    ihdr.put("IHDR".getBytes(StandardCharsets.US_ASCII)).putInt(width).putInt(height)
        .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
    CRC32 crc = new CRC32();
    crc.update(ihdr.array());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13});
    out.writeBytes(ihdr.array());
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    return out.toByteArray();
  }

  /** A JPEG whose SOF0 frame header claims width x height, from a real small JPEG. */
  private static byte[] jpegHeader(int width, int height) {
    byte[] jpeg = ImageTestSupport.encode(ImageTestSupport.quadrants(16, 16), "jpeg");
    for (int i = 2; i + 9 < jpeg.length; i++) {
      if ((jpeg[i] & 0xFF) == 0xFF && (jpeg[i + 1] & 0xFF) == 0xC0) {
        jpeg[i + 5] = (byte) (height >> 8);
        jpeg[i + 6] = (byte) height;
        jpeg[i + 7] = (byte) (width >> 8);
        jpeg[i + 8] = (byte) width;
        return jpeg;
      }
    }
    throw new AssertionError("no SOF0 in ImageIO's JPEG");
  }
}
