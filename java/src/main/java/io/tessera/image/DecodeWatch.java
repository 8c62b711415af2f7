package io.tessera.image;

import io.tessera.status.ServingException;
import java.awt.image.BufferedImage;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadProgressListener;
import javax.imageio.event.IIOReadUpdateListener;

/**
 * Stops one image's decoding at the request's deadline or after the per-image time limit,
 * whichever comes first. Checked on the decoding thread, between the reader's input reads
 * ({@link GuardedInput}) and at its progress and update callbacks (every row of every pass),
 * where it aborts the reader ({@link ImageReader#abort()}; ImageIO's JPEG reader cannot be
 * aborted from another thread), so a decode past its time stops burning CPU within a row or a
 * pass. Confined to the decoding thread.
 */
final class DecodeWatch {
  private final DecodeDeadline request;
  private final long limitMillis;
  private final long imageDeadline;
  private boolean requestExpired;
  private boolean stopped;

  /** Starts the per-image clock now. */
  DecodeWatch(DecodeDeadline request, long limitMillis) {
    this.request = request;
    this.limitMillis = limitMillis;
    // At most 2^40 ms (35 years): the nanosecond sum cannot overflow the comparison.
    this.imageDeadline = System.nanoTime() + Math.min(limitMillis, 1L << 40) * 1_000_000L;
  }

  /** True, from now on, once either time is up. */
  boolean expired() {
    if (!stopped) {
      requestExpired = request.expired();
      stopped = requestExpired || System.nanoTime() - imageDeadline > 0;
    }
    return stopped;
  }

  /** True if a check found the time up (the decode was then cut short). */
  boolean stopped() {
    return stopped;
  }

  /** DEADLINE_EXCEEDED for the request's deadline, INVALID_ARGUMENT for the per-image limit. */
  ServingException failure(String format) {
    return requestExpired ? request.exceeded()
        : ImageHeader.invalid("decoding the " + format + " image took longer than the limit of "
            + limitMillis + " ms (max_decode_millis)");
  }

  /**
   * Makes {@code reader} check the time at every progress and update callback (every row, and
   * every pass of a progressive JPEG) and abort itself once it is up.
   */
  void attach(ImageReader reader) {
    reader.addIIOReadProgressListener(new ProgressCheck());
    reader.addIIOReadUpdateListener(new UpdateCheck());
  }

  private void check(ImageReader reader) {
    if (expired()) {
      reader.abort();
    }
  }

  private final class ProgressCheck implements IIOReadProgressListener {
    @Override
    public void imageProgress(ImageReader source, float percentageDone) {
      check(source);
    }

    @Override
    public void sequenceStarted(ImageReader source, int minIndex) {}

    @Override
    public void sequenceComplete(ImageReader source) {}

    @Override
    public void imageStarted(ImageReader source, int imageIndex) {}

    @Override
    public void imageComplete(ImageReader source) {}

    @Override
    public void thumbnailStarted(ImageReader source, int imageIndex, int thumbnailIndex) {}

    @Override
    public void thumbnailProgress(ImageReader source, float percentageDone) {}

    @Override
    public void thumbnailComplete(ImageReader source) {}

    @Override
    public void readAborted(ImageReader source) {}
  }

  /** ImageIO's JPEG reader reports progress in its first pass only; updates come every row of every pass. */
  private final class UpdateCheck implements IIOReadUpdateListener {
    @Override
    public void passStarted(ImageReader source, BufferedImage image, int pass, int minPass,
        int maxPass, int minX, int minY, int periodX, int periodY, int[] bands) {
      check(source);
    }

    @Override
    public void imageUpdate(ImageReader source, BufferedImage image, int minX, int minY, int width,
        int height, int periodX, int periodY, int[] bands) {
      check(source);
    }

    @Override
    public void passComplete(ImageReader source, BufferedImage image) {}

    @Override
    public void thumbnailPassStarted(ImageReader source, BufferedImage thumbnail, int pass,
        int minPass, int maxPass, int minX, int minY, int periodX, int periodY, int[] bands) {}

    @Override
    public void thumbnailUpdate(ImageReader source, BufferedImage thumbnail, int minX, int minY,
        int width, int height, int periodX, int periodY, int[] bands) {}

    @Override
    public void thumbnailPassComplete(ImageReader source, BufferedImage thumbnail) {}
  }
}
