package io.tessera.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.proto.tessera.ChannelOrder;
import io.tessera.proto.tessera.ResizeMode;
import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import io.tessera.tensor.DataType;
import io.tessera.tensor.InputTensor;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * TensorFlow's decoder through {@link ImagePreprocessor}: EXIF orientation applied in the graph,
 * the colour cases ImageIO gets wrong (Adobe CMYK), 16-bit and progressive files, and the crop,
 * channel order and uint8 output agreeing with the Java reference resizer on lossless PNGs.
 */
class NativeImageDecoderTest {
  private static final DecodePool POOL = DecodePool.shared();

  @ParameterizedTest
  @CsvSource({"1, FF0000, 00FF00", "2, 00FF00, FF0000", "3, FFFFFF, 0000FF", "4, 0000FF, FFFFFF",
      "5, FF0000, 0000FF", "6, 0000FF, FF0000", "7, FFFFFF, 00FF00", "8, 00FF00, FFFFFF"})
  void appliesTheExifOrientation(int orientation, String topLeftHex, String topRightHex) {
    byte[] jpeg = ExifOrientationTest.withExif(
        ImageTestSupport.encode(ImageTestSupport.quadrants(64, 32), "jpeg"), orientation, true);
    float[] out = decode(ImageTestSupport.rawConfig(2, 2), jpeg);
    assertEquals(Integer.parseInt(topLeftHex, 16), snappedRgb(out, 0), "top left");
    assertEquals(Integer.parseInt(topRightHex, 16), snappedRgb(out, 1), "top right");
  }

  /** ImageIO turns this Adobe CMYK pixel (82, 83, 75) into (154, 154, 148); TensorFlow does not. */
  @Test
  void adobeCmykJpegKeepsItsColours() throws IOException {
    byte[] cmyk = adobeCmykJpeg(32, 32, 82, 83, 75);
    float[] out = decode(ImageTestSupport.rawConfig(4, 4), cmyk);
    for (int i = 0; i < out.length; i += 3) {
      assertEquals(82, out[i], 2.0, "R");
      assertEquals(83, out[i + 1], 2.0, "G");
      assertEquals(75, out[i + 2], 2.0, "B");
    }
  }

  @Test
  void sixteenBitPngIsScaledToEightBits() {
    BufferedImage gray16 = new BufferedImage(16, 16, BufferedImage.TYPE_USHORT_GRAY);
    WritableRaster raster = gray16.getRaster();
    for (int y = 0; y < 16; y++) {
      for (int x = 0; x < 16; x++) {
        raster.setSample(x, y, 0, 200 * 257);
      }
    }
    float[] out = decode(ImageTestSupport.rawConfig(2, 2), ImageTestSupport.encode(gray16, "png"));
    for (float v : out) {
      assertEquals(200, v, 0.5);
    }
  }

  @Test
  void progressiveJpegDecodes() {
    byte[] progressive = ImageBombs.progressiveJpeg(300, 200);
    assertTrue(ImageHeader.read(progressive).scans() > 1);
    assertEquals(2 * 2 * 3, decode(ImageTestSupport.rawConfig(2, 2), progressive).length);
  }

  @ParameterizedTest
  @CsvSource({"STRETCH, RGB, DT_FLOAT", "CENTER_CROP, RGB, DT_FLOAT", "CENTER_CROP, BGR, DT_FLOAT",
      "STRETCH, BGR, DT_UINT8"})
  void agreesWithTheJavaResizerOnLosslessImages(ResizeMode mode, ChannelOrder order, DataType dtype) {
    BufferedImage image = new BufferedImage(97, 61, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        image.setRGB(x, y, (x * 255 / 96) << 16 | (y * 255 / 60) << 8 | ((x * y) & 0xFF));
      }
    }
    byte[] png = ImageTestSupport.encode(image, "png");
    ImageConfig config = ImageTestSupport.rawConfig(24, 40, mode, order, dtype);
    try (ImagePreprocessor tensorflow = new ImagePreprocessor(config, POOL);
         InputTensor a = tensorflow.decodeBatch(List.of(png));
         InputTensor b = ImagePreprocessor.withImageIo(config, POOL).decodeBatch(List.of(png))) {
      float[] fromTf = values(a, dtype);
      float[] fromJava = values(b, dtype);
      for (int i = 0; i < fromTf.length; i++) {
        assertEquals(fromJava[i], fromTf[i], dtype == DataType.DT_UINT8 ? 1.0 : 1e-3, "element " + i);
      }
    }
  }

  @Test
  void badBytesAreInvalidArgumentsNamingTheImage() {
    byte[] photo = ImageTestSupport.encode(ImageTestSupport.quadrants(64, 64), "jpeg");
    byte[] truncated = java.util.Arrays.copyOf(photo, photo.length - 200);
    try (ImagePreprocessor preprocessor = new ImagePreprocessor(ImageTestSupport.rawConfig(8, 8), POOL)) {
      ServingException e = assertThrows(ServingException.class,
          () -> preprocessor.decodeBatch(List.of(photo, truncated)));
      assertEquals(StatusCode.INVALID_ARGUMENT, e.code());
      assertTrue(e.getMessage().startsWith("image 1: Invalid image: corrupt or truncated jpeg"), e.getMessage());
    }
  }

  private static float[] decode(ImageConfig config, byte[] encoded) {
    try (ImagePreprocessor preprocessor = new ImagePreprocessor(config, POOL);
         InputTensor tensor = preprocessor.decodeBatch(List.of(encoded))) {
      return values(tensor, config.dtype());
    }
  }

  private static float[] values(InputTensor tensor, DataType dtype) {
    ByteBuffer data = tensor.denseData();
    int n = (int) (tensor.byteSize() / dtype.byteSize());
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = dtype == DataType.DT_UINT8 ? data.get(i) & 0xFF : data.getFloat(i * 4);
    }
    return out;
  }

  private static int snappedRgb(float[] nhwc, int pixel) {
    int rgb = 0;
    for (int c = 0; c < 3; c++) {
      rgb = rgb << 8 | (nhwc[pixel * 3 + c] > 128 ? 0xFF : 0);
    }
    return rgb;
  }

  /**
   * A 4-component JPEG with an Adobe APP14 marker, as Photoshop writes them: inverted CMYK, so
   * stored (r, g, b, 255) means the colour (r, g, b).
   */
  static byte[] adobeCmykJpeg(int width, int height, int r, int g, int b) throws IOException {
    WritableRaster raster = Raster.createInterleavedRaster(java.awt.image.DataBuffer.TYPE_BYTE,
        width, height, 4, null);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        raster.setPixel(x, y, new int[] {r, g, b, 255});
      }
    }
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
      writer.setOutput(stream);
      writer.write(new IIOImage(raster, null, null));
    } finally {
      writer.dispose();
    }
    // ImageIO writes no APP14 for a raster; insert Adobe's (version 100, transform 0 = none).
    byte[] plain = out.toByteArray();
    ByteArrayOutputStream adobe = new ByteArrayOutputStream();
    adobe.write(plain, 0, 2);
    adobe.writeBytes(new byte[] {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0});
    adobe.write(plain, 2, plain.length - 2);
    return adobe.toByteArray();
  }
}
