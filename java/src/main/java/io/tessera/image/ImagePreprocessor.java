package io.tessera.image;

import io.tessera.admission.ClientErrorLog;
import io.tessera.nativebridge.HostBuffer;
import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import io.tessera.tensor.InputTensor;
import io.tessera.tensor.TensorBuilder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Turns encoded images (JPEG / PNG bytes) into one model's image input tensor, per its
 * {@link ImageConfig}: decode, orient, resize, map values, write NHWC straight into the
 * 64-byte-aligned native buffer TensorFlow reads. By default with TensorFlow's own kernels
 * ({@link NativeImageDecoder}); {@link #withImageIo} gives the pure-Java decoder (the benchmark's
 * baseline). Thread-safe; {@link #close} (with the model version) frees the native graph. Decoding is
 * CPU-bound: the request pipeline calls it on whatever thread runs the call, which the transports
 * keep off the event loop unless {@code InlineRuns} measured the route as cheap.
 *
 * <p>Before anything is allocated, the request is checked against the config's {@link ImageLimits}:
 * the image count, then every image's header, then the decoder memory summed over the request.
 * Errors are ServingExceptions, all client errors: INVALID_ARGUMENT for bad bytes or a limit (the
 * message names the image's index in the batch and the limit), RESOURCE_EXHAUSTED when the decode
 * queue or memory is full, DEADLINE_EXCEEDED at the request's deadline. Each rejected request
 * writes at most one rate-limited log line, no stack trace.
 */
public final class ImagePreprocessor implements AutoCloseable {
  private static final ClientErrorLog REJECTED =
      new ClientErrorLog(Logger.getLogger(ImagePreprocessor.class.getName()), 5);

  private final ImageConfig config;
  private final DecodePool pool;
  /** Null: the ImageIO decoder. */
  private final NativeImageDecoder tensorflow;

  public ImagePreprocessor(ImageConfig config) {
    this(config, DecodePool.shared());
  }

  /** TensorFlow's decoder on {@code pool}. */
  public ImagePreprocessor(ImageConfig config, DecodePool pool) {
    this(config, pool, new NativeImageDecoder(config));
  }

  private ImagePreprocessor(ImageConfig config, DecodePool pool, NativeImageDecoder tensorflow) {
    this.config = config;
    this.pool = pool;
    this.tensorflow = tensorflow;
  }

  /** The javax.imageio decoder with {@link BilinearResizer} (no native graph). */
  public static ImagePreprocessor withImageIo(ImageConfig config, DecodePool pool) {
    return new ImagePreprocessor(config, pool, null);
  }

  /** "tensorflow" or "imageio". */
  public String decoderName() {
    return tensorflow != null ? "tensorflow" : "imageio";
  }

  public ImageConfig config() {
    return config;
  }

  /** The tensor shape for a batch of {@code n} images: [n, height, width, 3]. */
  public long[] shape(int n) {
    return new long[] {n, config.height(), config.width(), 3};
  }

  /** {@link #decodeBatch(List, DecodeDeadline)} without a deadline. */
  public InputTensor decodeBatch(List<byte[]> encodedImages) {
    return decodeBatch(encodedImages, DecodeDeadline.NONE);
  }

  /** {@link #decodeBuffers} of the arrays. */
  public InputTensor decodeBatch(List<byte[]> encodedImages, DecodeDeadline deadline) {
    return decodeBuffers(encodedImages.stream().map(ByteBuffer::wrap).toList(), deadline, DecodeObserver.NONE);
  }

  /**
   * Decodes a batch into a new [N, H, W, 3] tensor of the config's dtype, the images in parallel on
   * the decode pool (a batch of one on the caller's thread), all by {@code deadline}. The caller
   * owns (closes) the tensor. Each buffer is read from its position to its limit and not moved;
   * direct buffers are decoded in place.
   *
   * @param observer told of each image decoded
   */
  public InputTensor decodeBuffers(List<ByteBuffer> encodedImages, DecodeDeadline deadline,
      DecodeObserver observer) {
    try {
      ImageHeader[] headers = inspect(encodedImages);
      return decodeAll(encodedImages, headers, deadline, observer);
    } catch (ServingException e) {
      REJECTED.log("image request rejected: " + e.code() + ": " + e.getMessage());
      throw e;
    }
  }

  /** Every limit that needs only the bytes: count, each image's header, the request's total. */
  private ImageHeader[] inspect(List<ByteBuffer> encodedImages) {
    ImageLimits limits = config.limits();
    int n = encodedImages.size();
    if (n == 0) {
      throw ServingException.invalidArgument("no images to decode");
    }
    if (n > limits.maxImagesPerRequest()) {
      throw ServingException.invalidArgument("the request has " + n + " images; the limit is "
          + limits.maxImagesPerRequest() + " (max_images_per_request)");
    }
    ImageHeader[] headers = new ImageHeader[n];
    long total = 0;
    for (int i = 0; i < n; i++) {
      ByteBuffer bytes = encodedImages.get(i);
      headers[i] = withIndex(i, () -> ImageDecoder.inspect(bytes, limits));
      long cost = tensorflow != null ? tensorflow.decodeBytes(headers[i], 1) : headers[i].decodeBytes();
      total = Math.min(Long.MAX_VALUE - cost, total) + cost;
    }
    if (total > limits.maxRequestDecodedBytes()) {
      throw ServingException.invalidArgument("the request's " + n + " images need " + total
          + " bytes to decode; the limit is " + limits.maxRequestDecodedBytes()
          + " (max_request_decoded_bytes)");
    }
    return headers;
  }

  private InputTensor decodeAll(List<ByteBuffer> encodedImages, ImageHeader[] headers,
      DecodeDeadline deadline, DecodeObserver observer) {
    int n = encodedImages.size();
    long perImage = config.elementsPerImage() * config.dtype().byteSize();
    if (perImage * n > Integer.MAX_VALUE) {
      throw new ServingException(StatusCode.RESOURCE_EXHAUSTED, "a batch of " + n
          + " images of " + perImage + " bytes each exceeds the 2 GiB tensor limit");
    }
    HostBuffer buffer = HostBuffer.allocate(perImage * n);
    try {
      if (n == 1) {
        decodeOne(encodedImages.get(0), headers[0], 0, deadline, buffer, 0, observer);
      } else {
        decodeInParallel(encodedImages, headers, deadline, buffer, perImage, observer);
      }
    } catch (RuntimeException | Error e) {
      buffer.close();
      throw e;
    }
    return InputTensor.dense(config.dtype(), shape(n), buffer, 0, perImage * n);
  }

  /**
   * Decodes one image on the caller's thread with the ImageIO decoder and appends its H * W * 3
   * values to {@code builder}.
   */
  public void decodeInto(byte[] encodedImage, TensorBuilder builder) {
    if (builder.dtype() != config.dtype()) {
      throw new IllegalArgumentException("builder dtype " + builder.dtype() + " != " + config.dtype());
    }
    ImageHeader header = withIndex(0, () -> ImageDecoder.inspect(encodedImage, config.limits()));
    decodeWithImageIo(encodedImage, header, 0, DecodeDeadline.NONE, PixelSink.into(builder));
  }

  private void decodeInParallel(List<ByteBuffer> encodedImages, ImageHeader[] headers,
      DecodeDeadline deadline, HostBuffer buffer, long perImage, DecodeObserver observer) {
    int n = encodedImages.size();
    CountDownLatch finished = new CountDownLatch(n);
    AtomicReference<RuntimeException> failure = new AtomicReference<>();
    // After a failure, images not started are skipped and those decoding are stopped.
    DecodeDeadline batch = deadline.orWhen(() -> failure.get() != null);
    int submitted = 0;
    try {
      for (; submitted < n; submitted++) {
        ByteBuffer bytes = encodedImages.get(submitted);
        int index = submitted;
        pool.execute(() -> {
          try {
            if (failure.get() == null) {
              decodeOne(bytes, headers[index], index, batch, buffer, index * perImage, observer);
            }
          } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
          } catch (Error e) {  // OutOfMemoryError too: the launcher's ExitOnOutOfMemoryError ends the process
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

  private void decodeOne(ByteBuffer bytes, ImageHeader header, int index, DecodeDeadline deadline,
      HostBuffer buffer, long offset, DecodeObserver observer) {
    long started = System.nanoTime();
    if (tensorflow != null) {
      withIndex(index, () -> {
        tensorflow.decode(bytes, header, deadline, pool.reservation(), buffer, offset);
        return null;
      });
    } else {
      long perImage = config.elementsPerImage() * config.dtype().byteSize();
      decodeWithImageIo(arrayOf(bytes), header, index, deadline, slice(buffer, offset, perImage));
    }
    observer.decoded(bytes.remaining(), System.nanoTime() - started);
  }

  private static byte[] arrayOf(ByteBuffer bytes) {
    if (bytes.hasArray() && bytes.arrayOffset() == 0 && bytes.position() == 0
        && bytes.limit() == bytes.array().length) {
      return bytes.array();
    }
    byte[] copy = new byte[bytes.remaining()];
    bytes.duplicate().get(copy);
    return copy;
  }

  private void decodeWithImageIo(byte[] bytes, ImageHeader header, int index, DecodeDeadline deadline,
      PixelSink sink) {
    withIndex(index, () -> ImageDecoder.decode(bytes, header, config.limits(), deadline,
        pool.reservation(), image -> {
          BilinearResizer.resize(image, config, sink);
          return null;
        }));
  }

  /** Runs {@code step}; a ServingException it throws is rethrown, same code, naming the image. */
  private static <T> T withIndex(int index, Supplier<T> step) {
    try {
      return step.get();
    } catch (ServingException e) {
      throw new ServingException(e.code(), "image " + index + ": " + e.getMessage());
    }
  }

  private PixelSink slice(HostBuffer buffer, long offset, long bytes) {
    ByteBuffer view = buffer.data().duplicate();
    view.position((int) offset).limit((int) (offset + bytes));
    return PixelSink.into(view.slice().order(ByteOrder.LITTLE_ENDIAN), config.dtype());
  }

  /** Frees the native graph; call after the last decode (the model version's close). */
  @Override
  public void close() {
    if (tensorflow != null) {
      tensorflow.close();
    }
  }
}
