package io.tessera.image;

import io.tessera.nativebridge.HostBuffer;
import io.tessera.nativebridge.ImageGraph;
import io.tessera.proto.tessera.ChannelOrder;
import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import io.tessera.tensor.DataType;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * Decodes and resizes with TensorFlow's own kernels ({@link ImageGraph}: DecodeImage,
 * ResizeBilinear with the op's defaults, the config's crop, channel order and value mapping), so
 * the tensor is what {@code tf.io.decode_image} + {@code tf.image.resize(..., "bilinear")} give a
 * Python user, computed off the Java heap at libjpeg-turbo speed. The EXIF orientation is applied
 * in the graph (TensorFlow's decoder ignores it). One per model version; thread-safe; closed
 * with the version.
 */
final class NativeImageDecoder implements AutoCloseable {
  private final ImageConfig config;
  private final ImageGraph graph;

  NativeImageDecoder(ImageConfig config) {
    this.config = config;
    float[] multiplier = new float[3];
    float[] addend = new float[3];
    for (int c = 0; c < 3; c++) {
      multiplier[c] = (float) config.multiplierAt(c);
      addend[c] = (float) config.addendAt(c);
    }
    this.graph = ImageGraph.create(config.height(), config.width(),
        config.channelOrder() == ChannelOrder.BGR, config.dtype() == DataType.DT_UINT8,
        multiplier, addend);
  }

  /** Bytes one image occupies in the batch tensor. */
  long outputBytes() {
    return graph.outputBytes();
  }

  /**
   * Memory TensorFlow allocates for one image: the decoded RGB raster (3 bytes per pixel whatever
   * the file holds; at least {@link ImageHeader#decodeBytes}, which adds CMYK conversion and a
   * progressive JPEG's coefficients), plus one RGB copy when the image is re-oriented or cropped
   * (identity flips, transposes and slices are free in TensorFlow).
   */
  long decodeBytes(ImageHeader header, int orientation) {
    boolean copies = orientation != 1 || config.resize() != io.tessera.proto.tessera.ResizeMode.STRETCH;
    long rgb = header.pixels() * 3;
    long base = Math.max(rgb, header.decodeBytes());
    return copies ? Math.min(Long.MAX_VALUE - rgb, base) + rgb : base;
  }

  /**
   * Decodes {@code encoded} (position to limit; not moved) into {@link #outputBytes()} bytes at
   * {@code offset} of {@code out}, holding {@link #decodeBytes} of {@code reservation} meanwhile.
   *
   * @throws ServingException INVALID_ARGUMENT (bytes TensorFlow cannot decode, or slower than
   *     max_decode_millis), DEADLINE_EXCEEDED (the request's deadline), RESOURCE_EXHAUSTED
   */
  void decode(ByteBuffer encoded, ImageHeader header, DecodeDeadline deadline,
      PixelReservation reservation, HostBuffer out, long offset) {
    int orientation = header.format().equals("jpeg") ? ExifOrientation.read(encoded) : 1;
    int[] window = window(header, orientation);
    try (PixelReservation.Lease lease = reservation.reserve(decodeBytes(header, orientation), deadline)) {
      if (deadline.expired()) {
        throw deadline.exceeded();
      }
      long limit = config.limits().maxDecodeMillis();
      long left = TimeUnit.NANOSECONDS.toMillis(deadline.remainingNanos());
      boolean requestBound = left < limit;
      long timeout = Math.max(1, Math.min(limit, left));
      try {
        graph.run(encoded, window, timeout, out, offset);
      } catch (ServingException e) {
        throw translate(e, header, requestBound, deadline);
      }
    }
  }

  private ServingException translate(ServingException e, ImageHeader header, boolean requestBound,
      DecodeDeadline deadline) {
    if (e.code() == StatusCode.DEADLINE_EXCEEDED) {
      return requestBound ? deadline.exceeded()
          : ImageHeader.invalid("decoding the " + header.format() + " image took longer than the limit of "
              + config.limits().maxDecodeMillis() + " ms (max_decode_millis)");
    }
    if (e.code() == StatusCode.INVALID_ARGUMENT) {
      return ImageHeader.invalid("corrupt or truncated " + header.format() + " image (TensorFlow: "
          + e.getMessage() + ")");
    }
    return e;
  }

  /** Orientation (flips of the stored image, then a transpose) and crop in displayed coordinates. */
  private int[] window(ImageHeader header, int orientation) {
    boolean swap = ExifOrientation.swapsAxes(orientation);
    int width = swap ? header.height() : header.width();
    int height = swap ? header.width() : header.height();
    int[] w = new int[ImageGraph.WINDOW_SLOTS];
    // Stored -> displayed: orientations 3, 4, 6, 7 flip the stored rows, 2, 3, 7, 8 its columns.
    w[ImageGraph.FLIP_ROWS] = orientation == 3 || orientation == 4 || orientation == 6 || orientation == 7 ? 1 : 0;
    w[ImageGraph.FLIP_COLUMNS] = orientation == 2 || orientation == 3 || orientation == 7 || orientation == 8 ? 1 : 0;
    w[ImageGraph.TRANSPOSE] = swap ? 1 : 0;
    int[] crop = BilinearResizer.cropWindow(width, height, config);
    boolean whole = crop[2] == width && crop[3] == height;
    w[ImageGraph.LEFT] = crop[0];
    w[ImageGraph.TOP] = crop[1];
    w[ImageGraph.WIDTH] = whole ? -1 : crop[2];
    w[ImageGraph.HEIGHT] = whole ? -1 : crop[3];
    return w;
  }

  @Override
  public void close() {
    graph.close();
  }
}
