package io.tessera.image;

/**
 * 8-bit RGB pixels as stored by the decoder (interleaved, any pixel/row stride and channel
 * offsets, so an ImageIO raster is read without a copy), plus the EXIF orientation to show them
 * with. {@link #width()} and {@link #height()} are the displayed (oriented) size. Immutable view;
 * the byte array is not copied and must not change.
 */
public final class DecodedImage {
  private final byte[] data;
  private final int storedWidth;
  private final int storedHeight;
  private final int orientation;
  private final int[] channelOffsets;
  private final long origin;
  private final long strideX;
  private final long strideY;

  /**
   * @param offset index of stored pixel (0, 0)
   * @param channelOffsets offsets of R, G and B inside a pixel (all equal for grayscale)
   * @param orientation EXIF orientation 1..8
   */
  DecodedImage(byte[] data, int storedWidth, int storedHeight, int offset, int pixelStride,
      int rowStride, int[] channelOffsets, int orientation) {
    this.data = data;
    this.storedWidth = storedWidth;
    this.storedHeight = storedHeight;
    this.orientation = orientation;
    this.channelOffsets = channelOffsets.clone();
    long[] map = ExifOrientation.displayToStored(orientation, storedWidth, storedHeight, pixelStride, rowStride);
    this.origin = offset + map[0];
    this.strideX = map[1];
    this.strideY = map[2];
  }

  /** Packed RGB (3 bytes per pixel, row-major), shown as stored. */
  static DecodedImage packedRgb(byte[] rgb, int width, int height, int orientation) {
    return new DecodedImage(rgb, width, height, 0, 3, width * 3, new int[] {0, 1, 2}, orientation);
  }

  public int width() {
    return ExifOrientation.swapsAxes(orientation) ? storedHeight : storedWidth;
  }

  public int height() {
    return ExifOrientation.swapsAxes(orientation) ? storedWidth : storedHeight;
  }

  public int orientation() {
    return orientation;
  }

  /** Channel c (0 = R, 1 = G, 2 = B) of displayed pixel (x, y), 0..255. */
  public int sample(int x, int y, int c) {
    return data[(int) (index(x, y)) + channelOffsets[c]] & 0xFF;
  }

  byte[] data() {
    return data;
  }

  int channelOffset(int c) {
    return channelOffsets[c];
  }

  /** Array index of displayed pixel (x, y)'s first byte, before the channel offset. */
  long index(int x, int y) {
    return origin + x * strideX + y * strideY;
  }

  long strideX() {
    return strideX;
  }

  long strideY() {
    return strideY;
  }

  long origin() {
    return origin;
  }
}
