package io.tessera.image;

import java.nio.ByteBuffer;

import io.tessera.status.ServingException;

/**
 * What decoding an image will cost, read from its encoded bytes alone (PNG IHDR, JPEG SOF and the
 * JPEG's marker structure) before a decoder is created or any pixel buffer allocated.
 *
 * <p>{@link #decodeBytes} is the memory javax.imageio and {@link ImageDecoder} allocate for the
 * image, as they allocate it: the decoder's raster (samples of 1 byte, or 2 for 16-bit PNG; packed
 * bits below 8), plus the 3-byte-per-pixel RGB copy {@link ImageDecoder} makes when the raster is
 * not 8-bit RGB or gray (palette, 16-bit, packed, CMYK), plus libjpeg's whole-image coefficient
 * buffer (2 bytes per DCT sample) for a progressive or multi-scan JPEG.
 *
 * @param format "jpeg" or "png"
 * @param scans JPEG scans (SOS markers) up to EOI; 1 for PNG
 */
public record ImageHeader(String format, int width, int height, long decodeBytes, int scans) {
  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

  public long pixels() {
    return (long) width * height;
  }

  /** The image formats accepted; null when {@code bytes} is neither. */
  static String formatOf(ByteBuffer bytes) {
    if (bytes.limit() >= 3 && (bytes.get(0) & 0xFF) == 0xFF && (bytes.get(1) & 0xFF) == 0xD8 && (bytes.get(2) & 0xFF) == 0xFF) {
      return "jpeg";
    }
    if (bytes.limit() >= PNG_SIGNATURE.length) {
      for (int i = 0; i < PNG_SIGNATURE.length; i++) {
        if (bytes.get(i) != PNG_SIGNATURE[i]) {
          return null;
        }
      }
      return "png";
    }
    return null;
  }

  /**
   * @throws ServingException INVALID_ARGUMENT when the bytes are neither format, or the header is
   *     missing, truncated or invalid
   */
  public static ImageHeader read(byte[] bytes) {
    return read(ByteBuffer.wrap(bytes));
  }

  /** {@link #read(byte[])} on the bytes from position to limit (the buffer is not moved). */
  public static ImageHeader read(ByteBuffer encoded) {
    ByteBuffer bytes = encoded.slice();
    String format = formatOf(bytes);
    if (format == null) {
      throw invalid("the bytes are not a JPEG or PNG image");
    }
    return format.equals("png") ? png(bytes) : jpeg(bytes);
  }

  /** IHDR (the first chunk), and tRNS before IDAT (ImageIO then adds an alpha channel). */
  private static ImageHeader png(ByteBuffer b) {
    if (b.limit() < 33 || u32(b, 8) != 13 || !chunkType(b, 12, "IHDR")) {
      throw invalid("corrupt or truncated png header: no IHDR chunk");
    }
    long width = u32(b, 16);
    long height = u32(b, 20);
    int depth = b.get(24) & 0xFF;
    int colorType = b.get(25) & 0xFF;
    int channels = switch (colorType) {
      case 0, 3 -> 1;
      case 2 -> 3;
      case 4 -> 2;
      case 6 -> 4;
      default -> throw invalid("corrupt png header: colour type " + colorType);
    };
    boolean depthOk = switch (colorType) {
      case 0 -> depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
      case 3 -> depth == 1 || depth == 2 || depth == 4 || depth == 8;
      default -> depth == 8 || depth == 16;
    };
    if (!depthOk) {
      throw invalid("corrupt png header: bit depth " + depth + " with colour type " + colorType);
    }
    checkSize("png", width, height);
    if ((colorType == 0 || colorType == 2) && hasTransparencyChunk(b)) {
      channels++;
    }
    long raster = depth >= 8
        ? mul(mul(width * height, channels), depth / 8)
        : mul((width * depth + 7) / 8, height);
    boolean direct = depth == 8 && colorType != 3;
    long bytes = direct ? raster : add(raster, mul(width * height, 3));
    return new ImageHeader("png", (int) width, (int) height, bytes, 1);
  }

  private static boolean hasTransparencyChunk(ByteBuffer b) {
    long pos = 8;
    while (pos + 8 <= b.limit()) {
      int at = (int) pos;
      if (chunkType(b, at + 4, "tRNS")) {
        return true;
      }
      if (chunkType(b, at + 4, "IDAT")) {
        return false;
      }
      pos += 12 + u32(b, at);
    }
    return false;
  }

  /**
   * Walks the marker segments from SOI to EOI (or the end of the bytes), skipping each scan's
   * entropy-coded data, counting SOS markers and reading the frame header (SOF).
   */
  private static ImageHeader jpeg(ByteBuffer b) {
    int pos = 2;
    int scans = 0;
    int[] frame = null; // marker, height, width, then (h, v) sampling factors per component
    while (pos < b.limit()) {
      if ((b.get(pos) & 0xFF) != 0xFF) {
        throw invalid("corrupt jpeg: no marker at byte " + pos);
      }
      while (pos < b.limit() && (b.get(pos) & 0xFF) == 0xFF) {
        pos++; // fill bytes
      }
      if (pos >= b.limit()) {
        break;
      }
      int marker = b.get(pos++) & 0xFF;
      if (marker == 0xD9) {
        break; // EOI
      }
      if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
        continue; // TEM, RSTn: no length
      }
      if (pos + 2 > b.limit()) {
        break;
      }
      int length = u16(b, pos);
      if (length < 2 || pos + length > b.limit()) {
        break; // truncated: the decoder reports it
      }
      if (isFrameHeader(marker) && frame == null) {
        frame = frame(b, pos, length, marker);
      }
      pos += length;
      if (marker == 0xDA) {
        scans++;
        pos = skipEntropyCodedData(b, pos);
      }
    }
    if (frame == null) {
      throw invalid("corrupt or truncated jpeg header: no frame header (SOF) before the image data");
    }
    return jpegCost(frame, scans);
  }

  private static boolean isFrameHeader(int marker) {
    return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
  }

  private static int[] frame(ByteBuffer b, int pos, int length, int marker) {
    if (length < 8) {
      throw invalid("corrupt jpeg frame header (SOF)");
    }
    int components = b.get(pos + 7) & 0xFF;
    if (components == 0 || length < 8 + 3 * components) {
      throw invalid("corrupt jpeg frame header (SOF): " + components + " components");
    }
    int[] frame = new int[4 + 2 * components];
    frame[0] = marker;
    frame[1] = u16(b, pos + 3);
    frame[2] = u16(b, pos + 5);
    frame[3] = b.get(pos + 2) & 0xFF; // sample precision
    for (int c = 0; c < components; c++) {
      int hv = b.get(pos + 9 + 3 * c) & 0xFF;
      frame[4 + 2 * c] = Math.max(1, hv >> 4);
      frame[5 + 2 * c] = Math.max(1, hv & 0x0F);
    }
    return frame;
  }

  /** Position of the marker that ends a scan's entropy-coded data (stuffed 0xFF00 and RSTn skipped). */
  private static int skipEntropyCodedData(ByteBuffer b, int pos) {
    while (pos + 1 < b.limit()) {
      if ((b.get(pos) & 0xFF) == 0xFF) {
        int next = b.get(pos + 1) & 0xFF;
        if (next == 0x00 || (next >= 0xD0 && next <= 0xD7)) {
          pos += 2;
          continue;
        }
        if (next != 0xFF) {
          return pos;
        }
      }
      pos++;
    }
    return b.limit();
  }

  private static ImageHeader jpegCost(int[] frame, int scans) {
    int height = frame[1];
    int width = frame[2];
    checkSize("jpeg", width, height);
    int components = (frame.length - 4) / 2;
    int sampleBytes = frame[3] > 8 ? 2 : 1;
    long pixels = (long) width * height;
    long bytes = mul(mul(pixels, components), sampleBytes);
    if (components != 1 && components != 3) {
      bytes = add(bytes, mul(pixels, 3)); // converted to RGB through getRGB
    }
    boolean progressive = frame[0] == 0xC2 || frame[0] == 0xC6 || frame[0] == 0xCA || frame[0] == 0xCE;
    if (progressive || scans > 1) {
      int maxH = 1;
      int maxV = 1;
      for (int c = 0; c < components; c++) {
        maxH = Math.max(maxH, frame[4 + 2 * c]);
        maxV = Math.max(maxV, frame[5 + 2 * c]);
      }
      for (int c = 0; c < components; c++) {
        int h = frame[4 + 2 * c];
        int v = frame[5 + 2 * c];
        long blocksX = roundUp(ceilDiv((long) width * h, 8L * maxH), h);
        long blocksY = roundUp(ceilDiv((long) height * v, 8L * maxV), v);
        bytes = add(bytes, mul(blocksX * blocksY, 64 * 2));
      }
    }
    return new ImageHeader("jpeg", width, height, bytes, scans);
  }

  private static void checkSize(String format, long width, long height) {
    if (width <= 0 || height <= 0 || width > Integer.MAX_VALUE || height > Integer.MAX_VALUE) {
      throw invalid("the " + format + " header gives an invalid size " + width + "x" + height);
    }
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }

  private static long roundUp(long a, int multiple) {
    return ceilDiv(a, multiple) * multiple;
  }

  /** Saturating: Long.MAX_VALUE instead of an overflow. */
  private static long mul(long a, long b) {
    long high = Math.multiplyHigh(a, b);
    long low = a * b;
    return high != 0 || low < 0 ? Long.MAX_VALUE : low;
  }

  private static long add(long a, long b) {
    long sum = a + b;
    return sum < 0 ? Long.MAX_VALUE : sum;
  }

  private static boolean chunkType(ByteBuffer b, int at, String type) {
    return at + 4 <= b.limit() && b.get(at) == type.charAt(0) && b.get(at + 1) == type.charAt(1)
        && b.get(at + 2) == type.charAt(2) && b.get(at + 3) == type.charAt(3);
  }

  private static int u16(ByteBuffer b, int at) {
    return (b.get(at) & 0xFF) << 8 | (b.get(at + 1) & 0xFF);
  }

  private static long u32(ByteBuffer b, int at) {
    return (long) (b.get(at) & 0xFF) << 24 | (b.get(at + 1) & 0xFF) << 16 | (b.get(at + 2) & 0xFF) << 8 | (b.get(at + 3) & 0xFF);
  }

  static ServingException invalid(String message) {
    return ServingException.invalidArgument("Invalid image: " + message);
  }
}
