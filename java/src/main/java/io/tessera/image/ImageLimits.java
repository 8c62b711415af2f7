package io.tessera.image;

/**
 * What one model accepts from a client, per image and per request (tessera_image.json fields
 * of the same names; see tessera/image_preprocessing.proto). Every limit is checked from the
 * encoded bytes and headers before any pixel buffer is allocated, except {@link #maxDecodeMillis},
 * which stops a decode that runs too long. The defaults fit a 2 GiB container (512 MiB heap) and
 * let a 48 MP phone photo through.
 *
 * @param maxEncodedBytes encoded bytes per image
 * @param maxDecodedPixels width * height per image
 * @param maxDecodedBytes memory the decoder allocates for one image ({@link ImageHeader#decodeBytes})
 * @param maxRequestDecodedBytes the same summed over a request's images
 * @param maxImagesPerRequest images in one request
 * @param maxJpegScans scans (SOS markers) in one JPEG
 * @param maxDecodeMillis wall time to decode one image, once its memory is reserved
 */
public record ImageLimits(
    long maxEncodedBytes,
    long maxDecodedPixels,
    long maxDecodedBytes,
    long maxRequestDecodedBytes,
    int maxImagesPerRequest,
    int maxJpegScans,
    long maxDecodeMillis) {
  public static final long DEFAULT_MAX_ENCODED_BYTES = 16L << 20;
  /** A 48 MP photo is 8000 x 6000; a "50 MP" one 8160 x 6120. */
  public static final long DEFAULT_MAX_DECODED_PIXELS = 50_000_000L;
  /** A 48 MP baseline JPEG needs 144 MB; a 16-bit RGB PNG of 29 Mpx about 260 MB. */
  public static final long DEFAULT_MAX_DECODED_BYTES = 256L << 20;
  public static final long DEFAULT_MAX_REQUEST_DECODED_BYTES = 1L << 30;
  public static final int DEFAULT_MAX_IMAGES_PER_REQUEST = 64;
  /** libjpeg's progressive script has 10 scans (6 for grayscale); optimisers use a few more. */
  public static final int DEFAULT_MAX_JPEG_SCANS = 100;
  public static final long DEFAULT_MAX_DECODE_MILLIS = 10_000;

  public static final ImageLimits DEFAULTS = new ImageLimits(DEFAULT_MAX_ENCODED_BYTES,
      DEFAULT_MAX_DECODED_PIXELS, DEFAULT_MAX_DECODED_BYTES, DEFAULT_MAX_REQUEST_DECODED_BYTES,
      DEFAULT_MAX_IMAGES_PER_REQUEST, DEFAULT_MAX_JPEG_SCANS, DEFAULT_MAX_DECODE_MILLIS);

  public ImageLimits {
    if (maxEncodedBytes <= 0 || maxDecodedPixels <= 0 || maxDecodedBytes <= 0
        || maxRequestDecodedBytes <= 0 || maxImagesPerRequest <= 0 || maxJpegScans <= 0
        || maxDecodeMillis <= 0) {
      throw new IllegalArgumentException("image limits must be positive");
    }
  }
}
