package io.tessera.image;

import io.tessera.core.ServingException;
import io.tessera.core.StatusCode;
import io.tessera.nativebridge.HostBuffer;
import io.tessera.tensor.InputTensor;
import io.tessera.tensor.TensorBuilder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Turns encoded images (JPEG / PNG bytes) into one model's image input tensor, per its
 * {@link ImageConfig}: decode, orient, resize, map values, write NHWC straight into the
 * 64-byte-aligned native buffer TensorFlow reads. Immutable and thread-safe; call it off the
 * network event loop (decoding is CPU-bound).
 *
 * <p>Errors are ServingExceptions: INVALID_ARGUMENT for bad bytes (the message names the image's
 * index in the batch), RESOURCE_EXHAUSTED when the decode queue is full.
 */
public final class ImagePreprocessor {
  private final ImageConfig config;
  private final DecodePool pool;

  public ImagePreprocessor(ImageConfig config) {
    this(config, DecodePool.shared());
  }

  public ImagePreprocessor(ImageConfig config, DecodePool pool) {
    this.config = config;
    this.pool = pool;
  }

  public ImageConfig config() {
    return config;
  }

  /** The tensor shape for a batch of {@code n} images: [n, height, width, 3]. */
  public long[] shape(int n) {
    return new long[] {n, config.height(), config.width(), 3};
  }

  /**
   * Decodes a batch into a new [N, H, W, 3] tensor of the config's dtype, the images in parallel on
   * the decode pool (a batch of one on the caller's thread). The caller owns (closes) the tensor.
   */
  public InputTensor decodeBatch(List<byte[]> encodedImages) {
    int n = encodedImages.size();
    if (n == 0) {
      throw ServingException.invalidArgument("no images to decode");
    }
    long perImage = config.elementsPerImage() * config.dtype().byteSize();
    if (perImage * n > Integer.MAX_VALUE) {
      throw new ServingException(StatusCode.RESOURCE_EXHAUSTED, "a batch of " + n
          + " images of " + perImage + " bytes each exceeds the 2 GiB tensor limit");
    }
    HostBuffer buffer = HostBuffer.allocate(perImage * n);
    try {
      if (n == 1) {
        decodeOne(encodedImages.get(0), 0, slice(buffer, 0, perImage));
      } else {
        decodeInParallel(encodedImages, buffer, perImage);
      }
    } catch (RuntimeException | Error e) {
      buffer.close();
      throw e;
    }
    return InputTensor.dense(config.dtype(), shape(n), buffer, 0, perImage * n);
  }

  /** Decodes one image on the caller's thread and appends its H * W * 3 values to {@code builder}. */
  public void decodeInto(byte[] encodedImage, TensorBuilder builder) {
    if (builder.dtype() != config.dtype()) {
      throw new IllegalArgumentException("builder dtype " + builder.dtype() + " != " + config.dtype());
    }
    decodeOne(encodedImage, 0, PixelSink.into(builder));
  }

  private void decodeInParallel(List<byte[]> encodedImages, HostBuffer buffer, long perImage) {
    int n = encodedImages.size();
    CountDownLatch finished = new CountDownLatch(n);
    AtomicReference<RuntimeException> failure = new AtomicReference<>();
    int submitted = 0;
    try {
      for (; submitted < n; submitted++) {
        byte[] bytes = encodedImages.get(submitted);
        int index = submitted;
        PixelSink sink = slice(buffer, index * perImage, perImage);
        pool.execute(() -> {
          try {
            if (failure.get() == null) { // after a failure the rest is skipped
              decodeOne(bytes, index, sink);
            }
          } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
          } catch (Error e) {
            failure.compareAndSet(null, ServingException.internal("image " + index + ": " + e));
            throw e; // recorded for the request, and left to the JVM
          } finally {
            finished.countDown();
          }
        });
      }
    } catch (RuntimeException e) { // queue full
      failure.compareAndSet(null, e);
      for (int i = submitted; i < n; i++) {
        finished.countDown();
      }
    }
    // Wait for every task, even after a failure or an interrupt: they write into the caller's buffer.
    boolean interrupted = false;
    while (true) {
      try {
        finished.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (failure.get() != null) {
      throw failure.get();
    }
  }

  private void decodeOne(byte[] bytes, int index, PixelSink sink) {
    try {
      ImageDecoder.decode(bytes, config.maxEncodedBytes(), config.maxDecodedPixels(),
          pool.reservation(), image -> {
            BilinearResizer.resize(image, config, sink);
            return null;
          });
    } catch (ServingException e) {
      if (e.code() == StatusCode.INVALID_ARGUMENT) {
        throw ServingException.invalidArgument("image " + index + ": " + e.getMessage());
      }
      throw e;
    }
  }

  private PixelSink slice(HostBuffer buffer, long offset, long bytes) {
    ByteBuffer view = buffer.data().duplicate();
    view.position((int) offset).limit((int) (offset + bytes));
    return PixelSink.into(view.slice().order(ByteOrder.LITTLE_ENDIAN), config.dtype());
  }
}
