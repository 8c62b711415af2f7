package io.tessera.image;

import io.tessera.core.ServingException;
import io.tessera.core.StatusCode;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBufferByte;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes one JPEG or PNG into 8-bit RGB with javax.imageio (no native code): alpha is dropped,
 * grayscale is replicated to R = G = B, 16-bit samples are scaled to 8 bits, a JPEG's EXIF
 * orientation is kept for the resizer to apply. Colour profiles are ignored (raw samples, as
 * TensorFlow's DecodeJpeg/DecodePng do).
 *
 * <p>The size is read from the header and checked against {@code maxPixels} before any pixel is
 * decoded. Every failure (not an image, corrupt, truncated, too large) is a ServingException
 * INVALID_ARGUMENT; a decoder warning (e.g. premature end of a JPEG) counts as a failure. Stateless
 * and thread-safe.
 */
public final class ImageDecoder {
  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

  private ImageDecoder() {}

  /** The image formats accepted; null when {@code bytes} is neither. */
  static String formatOf(byte[] bytes) {
    if (bytes.length >= 3 && (bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xFF) == 0xD8 && (bytes[2] & 0xFF) == 0xFF) {
      return "jpeg";
    }
    if (bytes.length >= PNG_SIGNATURE.length) {
      for (int i = 0; i < PNG_SIGNATURE.length; i++) {
        if (bytes[i] != PNG_SIGNATURE[i]) {
          return null;
        }
      }
      return "png";
    }
    return null;
  }

  /**
   * Decodes {@code bytes} and hands the pixels to {@code use} while the memory reservation is held.
   *
   * @param maxEncodedBytes largest accepted input
   * @param maxPixels largest accepted width * height, checked from the header
   * @param reservation reserves the pixel memory once the header passed the checks, before the
   *     pixels are decoded; released when {@code use} returns
   * @param use reads the image; it must not keep it (its pixels may be the decoder's raster)
   */
  public static <T> T decode(byte[] bytes, long maxEncodedBytes, long maxPixels,
      PixelReservation reservation, Function<DecodedImage, T> use) {
    if (bytes.length == 0) {
      throw invalid("the image is empty (0 bytes)");
    }
    if (bytes.length > maxEncodedBytes) {
      throw invalid("the encoded image has " + bytes.length + " bytes; the limit is " + maxEncodedBytes);
    }
    String format = formatOf(bytes);
    if (format == null) {
      throw invalid("the bytes are not a JPEG or PNG image");
    }
    Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format);
    if (!readers.hasNext()) {
      throw new ServingException(StatusCode.INTERNAL, "no ImageIO reader for " + format);
    }
    ImageReader reader = readers.next();
    // An in-memory stream: never a temp file, whatever ImageIO.getUseCache() says.
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
      reader.setInput(in, true, true);
      // Warnings arrive from native code, where a thrown exception would be lost: record them.
      List<String> warnings = new CopyOnWriteArrayList<>();
      reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
      long pixels = checkedSize(reader, format, maxPixels);
      int orientation = format.equals("jpeg") ? ExifOrientation.read(bytes) : 1;
      try (PixelReservation.Lease lease = reservation.reserve(pixels)) {
        DecodedImage image = readPixels(reader, format, pixels, orientation);
        if (!warnings.isEmpty()) {
          throw invalid("corrupt or truncated " + format + " image: " + warnings.get(0));
        }
        return use.apply(image);
      }
    } catch (IOException e) { // closing the in-memory stream
      throw invalid("cannot read the " + format + " image: " + describe(e));
    } finally {
      reader.dispose();
    }
  }

  private static long checkedSize(ImageReader reader, String format, long maxPixels) {
    long width;
    long height;
    try {
      width = reader.getWidth(0);
      height = reader.getHeight(0);
    } catch (IOException | RuntimeException e) {
      throw invalid("corrupt or truncated " + format + " header: " + describe(e));
    }
    if (width <= 0 || height <= 0) {
      throw invalid("the " + format + " header gives an empty size " + width + "x" + height);
    }
    if (width * height > maxPixels) {
      throw invalid("the image is " + width + "x" + height + " = " + width * height
          + " pixels; the limit is " + maxPixels);
    }
    return width * height;
  }

  private static DecodedImage readPixels(ImageReader reader, String format, long pixels, int orientation) {
    try {
      BufferedImage image = reader.read(0);
      if ((long) image.getWidth() * image.getHeight() != pixels) {
        throw invalid("the decoded size differs from the " + format + " header");
      }
      return toRgb(image, orientation);
    } catch (ServingException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw invalid("corrupt or truncated " + format + " image: " + describe(e));
    }
  }

  /** Wraps the raster without copying when it is 8-bit interleaved RGB/gray, else converts. */
  static DecodedImage toRgb(BufferedImage image, int orientation) {
    int width = image.getWidth();
    int height = image.getHeight();
    Raster raster = image.getRaster();
    ColorModel cm = image.getColorModel();
    int colorType = cm.getColorSpace().getType();
    boolean rgb = colorType == ColorSpace.TYPE_RGB && cm.getNumColorComponents() == 3;
    boolean gray = colorType == ColorSpace.TYPE_GRAY && cm.getNumColorComponents() == 1;
    if (cm instanceof ComponentColorModel && (rgb || gray)
        && raster.getSampleModel() instanceof PixelInterleavedSampleModel sm
        && raster.getDataBuffer() instanceof DataBufferByte buffer
        && buffer.getNumBanks() == 1 && raster.getSampleModelTranslateX() == 0
        && raster.getSampleModelTranslateY() == 0) {
      int[] offsets = sm.getBandOffsets();
      int[] channels = rgb ? new int[] {offsets[0], offsets[1], offsets[2]}
          : new int[] {offsets[0], offsets[0], offsets[0]};
      return new DecodedImage(buffer.getData(), width, height, buffer.getOffset(),
          sm.getPixelStride(), sm.getScanlineStride(), channels, orientation);
    }
    byte[] out = new byte[Math.multiplyExact(Math.multiplyExact(width, height), 3)];
    if (cm instanceof ComponentColorModel && (rgb || gray)) {
      copyScaledSamples(raster, cm, rgb, out);
    } else {
      int[] row = new int[width];
      for (int y = 0, o = 0; y < height; y++) {
        image.getRGB(0, y, width, 1, row, 0, width);
        for (int x = 0; x < width; x++) {
          out[o++] = (byte) (row[x] >> 16);
          out[o++] = (byte) (row[x] >> 8);
          out[o++] = (byte) row[x];
        }
      }
    }
    return DecodedImage.packedRgb(out, width, height, orientation);
  }

  /** Other bit depths (e.g. 16-bit PNG): samples scaled to 0..255, rounded. */
  private static void copyScaledSamples(Raster raster, ColorModel cm, boolean rgb, byte[] out) {
    int width = raster.getWidth();
    int bands = raster.getNumBands();
    int[] row = new int[width * bands];
    double[] scale = new double[3];
    for (int c = 0; c < 3; c++) {
      scale[c] = 255.0 / ((1L << cm.getComponentSize(rgb ? c : 0)) - 1);
    }
    for (int y = 0, o = 0; y < raster.getHeight(); y++) {
      raster.getPixels(raster.getMinX(), raster.getMinY() + y, width, 1, row);
      for (int x = 0; x < width; x++) {
        for (int c = 0; c < 3; c++) {
          int band = rgb ? c : 0;
          out[o++] = (byte) Math.round(row[x * bands + band] * scale[c]);
        }
      }
    }
  }

  private static String describe(Throwable e) {
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
  }

  private static ServingException invalid(String message) {
    return ServingException.invalidArgument("Invalid image: " + message);
  }
}
