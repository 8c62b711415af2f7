package io.tessera.image;

import java.nio.ByteBuffer;

/**
 * Reads the EXIF orientation (TIFF tag 0x0112 in IFD0 of the APP1 "Exif" segment) of a JPEG and
 * maps displayed pixel coordinates to stored ones. Lenient: anything malformed or absent reads as
 * 1 (as stored), since the orientation only refines an image that decodes anyway. Pure functions.
 *
 * <p>Values (EXIF 2.3): 1 as stored; 2 mirrored left-right; 3 rotated 180; 4 mirrored top-bottom;
 * 5 transposed (mirror + 270 CW); 6 needs 90 CW to display; 7 transverse; 8 needs 270 CW.
 */
public final class ExifOrientation {
  private static final int TAG_ORIENTATION = 0x0112;
  private static final int TYPE_SHORT = 3;

  private ExifOrientation() {}

  /** The orientation 1..8 of a JPEG; 1 when there is none or {@code jpeg} is not a JPEG. */
  public static int read(byte[] jpeg) {
    return read(ByteBuffer.wrap(jpeg));
  }

  /** {@link #read(byte[])} on the bytes from position to limit (the buffer is not moved). */
  public static int read(ByteBuffer encoded) {
    ByteBuffer jpeg = encoded.slice();
    if (jpeg.limit() < 4 || u8(jpeg, 0) != 0xFF || u8(jpeg, 1) != 0xD8) {
      return 1;
    }
    int at = 2;
    while (at + 4 <= jpeg.limit()) {
      if (u8(jpeg, at) != 0xFF) {
        return 1;
      }
      int marker = u8(jpeg, at + 1);
      if (marker == 0xFF) { // fill byte
        at++;
        continue;
      }
      if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
        at += 2; // standalone marker, no length
        continue;
      }
      if (marker == 0xDA || marker == 0xD9) { // start of scan / end of image: no more metadata
        return 1;
      }
      int length = u16(jpeg, at + 2, false);
      if (length < 2 || at + 2 + length > jpeg.limit()) {
        return 1;
      }
      if (marker == 0xE1 && isExif(jpeg, at + 4, length - 2)) {
        return fromTiff(jpeg, at + 10, at + 2 + length);
      }
      at += 2 + length;
    }
    return 1;
  }

  /** True for orientations that swap width and height (5..8). */
  public static boolean swapsAxes(int orientation) {
    return orientation >= 5 && orientation <= 8;
  }

  /**
   * The stored position of displayed pixel (x, y) as {@code origin + x * dx + y * dy} in units of
   * stored pixels, for a stored image of {@code width} x {@code height}: returns {origin, dx, dy}
   * for a row stride of {@code rowStride} and a pixel stride of {@code pixelStride}.
   */
  static long[] displayToStored(int orientation, int width, int height, long pixelStride, long rowStride) {
    long lastX = (width - 1) * pixelStride;
    long lastY = (height - 1) * rowStride;
    return switch (orientation) {
      case 2 -> new long[] {lastX, -pixelStride, rowStride};
      case 3 -> new long[] {lastX + lastY, -pixelStride, -rowStride};
      case 4 -> new long[] {lastY, pixelStride, -rowStride};
      case 5 -> new long[] {0, rowStride, pixelStride};
      case 6 -> new long[] {lastY, -rowStride, pixelStride};
      case 7 -> new long[] {lastX + lastY, -rowStride, -pixelStride};
      case 8 -> new long[] {lastX, rowStride, -pixelStride};
      default -> new long[] {0, pixelStride, rowStride};
    };
  }

  private static boolean isExif(ByteBuffer b, int at, int length) {
    return length >= 14 && b.get(at) == 'E' && b.get(at + 1) == 'x' && b.get(at + 2) == 'i' && b.get(at + 3) == 'f'
        && b.get(at + 4) == 0 && b.get(at + 5) == 0;
  }

  /** Parses the TIFF structure in bytes [tiff, end) and returns tag 0x0112 of IFD0. */
  private static int fromTiff(ByteBuffer b, int tiff, int end) {
    boolean little;
    if (b.get(tiff) == 'I' && b.get(tiff + 1) == 'I') {
      little = true;
    } else if (b.get(tiff) == 'M' && b.get(tiff + 1) == 'M') {
      little = false;
    } else {
      return 1;
    }
    if (u16(b, tiff + 2, little) != 42) {
      return 1;
    }
    long ifd = tiff + (u32(b, tiff + 4, little));
    if (ifd + 2 > end) {
      return 1;
    }
    int entries = u16(b, (int) ifd, little);
    for (int i = 0; i < entries; i++) {
      long entry = ifd + 2 + 12L * i;
      if (entry + 12 > end) {
        return 1;
      }
      int e = (int) entry;
      if (u16(b, e, little) == TAG_ORIENTATION) {
        int value = u16(b, e + 8, little);
        boolean valid = u16(b, e + 2, little) == TYPE_SHORT && value >= 1 && value <= 8;
        return valid ? value : 1;
      }
    }
    return 1;
  }

  private static int u8(ByteBuffer b, int at) {
    return b.get(at) & 0xFF;
  }

  private static int u16(ByteBuffer b, int at, boolean little) {
    return little ? u8(b, at) | u8(b, at + 1) << 8 : u8(b, at) << 8 | u8(b, at + 1);
  }

  private static long u32(ByteBuffer b, int at, boolean little) {
    long lo = u16(b, little ? at : at + 2, little);
    long hi = u16(b, little ? at + 2 : at, little);
    return hi << 16 | lo;
  }
}
