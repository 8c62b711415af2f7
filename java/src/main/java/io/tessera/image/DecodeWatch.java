package io.tessera.image;

import io.tessera.core.ServingException;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadProgressListener;

/**
 * Stops one image's decoding at the request's deadline or after the per-image time limit,
 * whichever comes first. Checked on the decoding thread, between the reader's input reads
 * ({@link GuardedInput}) and at its progress callbacks (every row for PNG, every 5% of every
 * pass for JPEG), where it aborts the reader ({@link ImageReader#abort()}), so a decode past its
 * time stops burning CPU within one pass slice. Confined to the decoding thread.
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
    this.imageDeadline = System.nanoTime() + limitMillis * 1_000_000L;
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

  /** A listener that aborts {@code reader} at its first progress callback past the time. */
  IIOReadProgressListener aborting(ImageReader reader) {
    return new IIOReadProgressListener() {
      @Override
      public void imageProgress(ImageReader source, float percentageDone) {
        if (expired()) {
          source.abort();
        }
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
    };
  }
}
