package io.tessera.image;

import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBufferByte;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes one JPEG or PNG into 8-bit RGB with javax.imageio (no native code; the pure-Java
 * alternative to {@link NativeImageDecoder}, kept as the benchmark's baseline): alpha is dropped,
 * grayscale is replicated to R = G = B, 16-bit samples are scaled to 8 bits, a JPEG's EXIF
 * orientation is kept for the resizer to apply. Colour profiles are ignored (raw samples, as
 * TensorFlow's DecodeJpeg/DecodePng do).
 *
 * <p>{@link #inspect} checks the bytes against the {@link ImageLimits} from the header alone;
 * {@link #decode} then reserves the decoder's memory and decodes, stopping at the request's
 * deadline or the per-image time limit ({@link DecodeWatch}). Every failure caused by the bytes
 * (not an image, corrupt, truncated, too large, too slow) is a ServingException INVALID_ARGUMENT;
 * a decoder warning (e.g. premature end of a JPEG) counts as a failure. Stateless and thread-safe.
 */
public final class ImageDecoder {
  private ImageDecoder() {}

  /**
   * Reads the header and checks the per-image limits (encoded bytes, pixels, decoder memory, JPEG
   * scans) without decoding.
   *
   * @throws ServingException INVALID_ARGUMENT naming the limit that is exceeded
   */
  public static ImageHeader inspect(byte[] bytes, ImageLimits limits) {
    return inspect(ByteBuffer.wrap(bytes), limits);
  }

  /** {@link #inspect(byte[], ImageLimits)} on the bytes from position to limit (not moved). */
  public static ImageHeader inspect(ByteBuffer bytes, ImageLimits limits) {
    if (bytes.remaining() == 0) {
      throw invalid("the image is empty (0 bytes)");
    }
    if (bytes.remaining() > limits.maxEncodedBytes()) {
      throw invalid("the encoded image has " + bytes.remaining() + " bytes; the limit is "
          + limits.maxEncodedBytes() + " (max_encoded_bytes)");
    }
    ImageHeader header = ImageHeader.read(bytes);
    String size = "the image is " + header.width() + "x" + header.height();
    if (header.pixels() > limits.maxDecodedPixels()) {
      throw invalid(size + " = " + header.pixels() + " pixels; the limit is "
          + limits.maxDecodedPixels() + " (max_decoded_pixels)");
    }
    if (header.decodeBytes() > limits.maxDecodedBytes()) {
      throw invalid(size + " " + header.format() + " and needs " + header.decodeBytes()
          + " bytes to decode; the limit is " + limits.maxDecodedBytes() + " (max_decoded_bytes)");
    }
    if (header.scans() > limits.maxJpegScans()) {
      throw invalid("the jpeg has " + header.scans() + " scans; the limit is "
          + limits.maxJpegScans() + " (max_jpeg_scans)");
    }
    return header;
  }

  /** {@link #inspect}, then {@link #decode(byte[], ImageHeader, ImageLimits, DecodeDeadline, PixelReservation, Function)}. */
  public static <T> T decode(byte[] bytes, ImageLimits limits, DecodeDeadline deadline,
      PixelReservation reservation, Function<DecodedImage, T> use) {
    return decode(bytes, inspect(bytes, limits), limits, deadline, reservation, use);
  }

  /**
   * Decodes {@code bytes} and hands the pixels to {@code use} while the memory reservation is held.
   *
   * @param header {@link #inspect}'s result for {@code bytes}
   * @param reservation reserves {@code header.decodeBytes()} before the decoder allocates any of
   *     it; released when {@code use} returns or the decode fails
   * @param use reads the image; it must not keep it (its pixels may be the decoder's raster)
   * @throws ServingException INVALID_ARGUMENT (bytes), DEADLINE_EXCEEDED (request deadline),
   *     RESOURCE_EXHAUSTED (memory)
   */
  public static <T> T decode(byte[] bytes, ImageHeader header, ImageLimits limits,
      DecodeDeadline deadline, PixelReservation reservation, Function<DecodedImage, T> use) {
    String format = header.format();
    Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format);
    if (!readers.hasNext()) {
      throw new ServingException(StatusCode.INTERNAL, "no ImageIO reader for " + format);
    }
    ImageReader reader = readers.next();
    try (PixelReservation.Lease lease = reservation.reserve(header.decodeBytes(), deadline)) {
      DecodeWatch watch = new DecodeWatch(deadline, limits.maxDecodeMillis());
      try (ImageInputStream in = new GuardedInput(bytes, watch)) {
        reader.setInput(in, true, true);
        // Warnings arrive from native code, where a thrown exception would be lost: record them,
        // and stop decoding, since the image is refused anyway.
        List<String> warnings = new CopyOnWriteArrayList<>();
        reader.addIIOReadWarningListener((source, warning) -> {
          warnings.add(warning);
          source.abort();
        });
        watch.attach(reader);
        checkSize(reader, header, watch);
        int orientation = format.equals("jpeg") ? ExifOrientation.read(bytes) : 1;
        DecodedImage image = readPixels(reader, header, orientation, watch);
        if (!warnings.isEmpty()) {
          throw invalid("corrupt or truncated " + format + " image: " + warnings.get(0));
        }
        return use.apply(image);
      } catch (IOException e) { // closing the in-memory stream
        throw invalid("cannot read the " + format + " image: " + describe(e));
      }
    } finally {
      reader.dispose();
    }
  }

  /** The decoder must see the size {@link ImageHeader} read (the limits were checked on it). */
  private static void checkSize(ImageReader reader, ImageHeader header, DecodeWatch watch) {
    long width;
    long height;
    try {
      width = reader.getWidth(0);
      height = reader.getHeight(0);
    } catch (IOException | RuntimeException e) {
      if (watch.stopped()) {
        throw watch.failure(header.format()); // the time ran out while the header was read
      }
      throw invalid("corrupt or truncated " + header.format() + " header: " + describe(e));
    }
    if (width != header.width() || height != header.height()) {
      throw invalid("the " + header.format() + " decoder reads a size " + width + "x" + height
          + " that differs from the header's " + header.width() + "x" + header.height());
    }
  }

  private static DecodedImage readPixels(ImageReader reader, ImageHeader header, int orientation,
      DecodeWatch watch) {
    String format = header.format();
    try {
      BufferedImage image = reader.read(0);
      if (watch.stopped()) {
        throw watch.failure(format);
      }
      if ((long) image.getWidth() * image.getHeight() != header.pixels()) {
        throw invalid("the decoded size differs from the " + format + " header");
      }
      return toRgb(image, orientation);
    } catch (ServingException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      if (watch.stopped()) {
        throw watch.failure(format);
      }
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
    return ImageHeader.invalid(message);
  }
}
