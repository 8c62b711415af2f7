package io.tessera.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.admission.MemoryBudget;
import io.tessera.nativebridge.HostBuffer;
import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import io.tessera.tensor.InputTensor;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Hostile images against the decoder and preprocessor: refused from the bytes before decoding,
 * or stopped (not merely ignored) when their decode runs past its time.
 */
class ImageBombsTest {
  private static final DecodePool POOL = new DecodePool(2, 128, 64L << 20);
  /** 3000x3000 progressive with 80 extra scans (90 in all, under the cap): one full pass per scan. */
  private static byte[] slowJpeg;

  @BeforeAll
  static void craft() {
    slowJpeg = ImageBombs.duplicateLastScan(ImageBombs.progressiveJpeg(3000, 3000), 80);
  }

  /** Preprocessors a test made, closed after it (each owns a native TensorFlow graph). */
  private final List<ImagePreprocessor> made = new ArrayList<>();

  @AfterAll
  static void stopPool() {
    POOL.shutdown();
  }

  @AfterEach
  void closeMade() {
    made.forEach(ImagePreprocessor::close);
  }

  private ImagePreprocessor closeAfter(ImagePreprocessor preprocessor) {
    made.add(preprocessor);
    return preprocessor;
  }

  @Test
  void theScanBombIsRefusedFromItsMarkersBeforeDecoding() {
    byte[] bomb = ImageBombs.duplicateLastScan(ImageBombs.progressiveJpeg(1200, 1000), 500);
    long started = System.nanoTime();
    ServingException e = assertThrows(ServingException.class,
        () -> ImageTestSupport.decodeOnce(ImageTestSupport.rawConfig(8, 8), POOL, List.of(bomb)));
    long millis = (System.nanoTime() - started) / 1_000_000;
    assertEquals(StatusCode.INVALID_ARGUMENT, e.code());
    assertEquals("image 0: Invalid image: the jpeg has 510 scans; the limit is 100 (max_jpeg_scans)",
        e.getMessage());
    assertTrue(millis < 500, "refused in " + millis + " ms");
  }

  @Test
  void aDecodePastThePerImageLimitStopsAndIsInvalid() {
    ImageLimits limits = new ImageLimits(16L << 20, 50_000_000, 256L << 20, 1L << 30, 64, 100, 300);
    long millis = timed(() -> {
      ServingException e = assertThrows(ServingException.class, () -> ImageDecoder.decode(slowJpeg,
          limits, DecodeDeadline.NONE, PixelReservation.NONE, image -> null));
      assertEquals(StatusCode.INVALID_ARGUMENT, e.code());
      assertTrue(e.getMessage().contains("took longer than the limit of 300 ms (max_decode_millis)"),
          e.getMessage());
    });
    // Decoding it all takes many seconds (90 full passes): returning soon after 300 ms means the
    // reader was aborted on this thread.
    assertTrue(millis < 2000, "stopped after " + millis + " ms");
  }

  /** The ImageIO decoder is aborted mid-image; TensorFlow's is checked before each image. */
  @Test
  void theRequestDeadlineStopsJpegAndPngDecodingWithDeadlineExceeded() {
    byte[] png16 = ImageBombs.zeroPng(6000, 3000, 16, 2);
    for (byte[] image : List.of(slowJpeg, png16)) {
      long before = HostBuffer.liveBytes();
      long millis = timed(() -> {
        ServingException e = assertThrows(ServingException.class, () ->
            ImagePreprocessor.withImageIo(ImageTestSupport.rawConfig(8, 8), POOL)
                .decodeBatch(List.of(image, image), DecodeDeadline.afterMillis(200)));
        assertEquals(StatusCode.DEADLINE_EXCEEDED, e.code(), e.getMessage());
      });
      assertTrue(millis < 2000, "stopped after " + millis + " ms");
      assertEquals(before, HostBuffer.liveBytes(), "tensor freed");
    }
  }

  @Test
  void oneCorruptImageStopsTheBatchImagesStillDecoding() throws Exception {
    byte[] big = ImageBombs.progressiveJpeg(5000, 5000); // valid; seconds to decode
    byte[] photo = Files.readAllBytes(ImageTestSupport.shared("images/coffee.jpg"));
    byte[] truncated = Arrays.copyOf(photo, photo.length / 2);
    long full = timed(() -> ImageDecoder.decode(big, ImageLimits.DEFAULTS, DecodeDeadline.NONE,
        PixelReservation.NONE, image -> null));
    DecodePool roomy = new DecodePool(2, 16, 1L << 30); // both images decode at once
    // the preprocessor's native graph is built and run once before the clock starts: the bound is
    // on how soon the batch stops, not on TensorFlow's first session in this JVM
    try (ImagePreprocessor preprocessor = new ImagePreprocessor(ImageTestSupport.rawConfig(8, 8), roomy)) {
      assertThrows(ServingException.class, () -> preprocessor.decodeBatch(List.of(truncated)).close());
      long millis = timed(() -> {
        ServingException e = assertThrows(ServingException.class, () ->
            preprocessor.decodeBatch(List.of(big, truncated)).close());
        assertEquals(StatusCode.INVALID_ARGUMENT, e.code());
        assertTrue(e.getMessage().startsWith("image 1: Invalid image: corrupt or truncated jpeg"), e.getMessage());
      });
      assertTrue(millis < full / 2, "batch failed after " + millis + " ms; decoding the big image takes " + full);
    } finally {
      roomy.shutdown();
    }
  }

  @Test
  void tooManyImagesAreRefusedNamingTheLimit() {
    byte[] tiny = ImageTestSupport.encode(ImageTestSupport.quadrants(2, 2), "png");
    ImagePreprocessor preprocessor = closeAfter(new ImagePreprocessor(ImageTestSupport.rawConfig(8, 8), POOL));
    ServingException e = assertThrows(ServingException.class,
        () -> preprocessor.decodeBatch(Collections.nCopies(65, tiny)));
    assertEquals(StatusCode.INVALID_ARGUMENT, e.code());
    assertEquals("the request has 65 images; the limit is 64 (max_images_per_request)", e.getMessage());
    try (InputTensor ok = preprocessor.decodeBatch(Collections.nCopies(64, tiny))) {
      assertEquals(64, ok.dim(0));
    }
  }

  @Test
  void perImageAndPerRequestDecoderMemoryUseRealBytesPerPixel() {
    ImagePreprocessor defaults = closeAfter(new ImagePreprocessor(ImageTestSupport.rawConfig(8, 8), POOL));
    // 39.6 Mpx is under max_decoded_pixels, but at 16 bits x RGB plus the RGB copy it needs 356 MB.
    byte[] png16 = ImageBombs.zeroPng(6000, 6600, 16, 2);
    assertInvalid(() -> defaults.decodeBatch(List.of(png16)),
        "image 0: Invalid image: the image is 6000x6600 png and needs 356400000 bytes to decode; "
            + "the limit is 268435456 (max_decoded_bytes)");
    // TensorFlow decodes each 8-bit gray image to 3 channels, 118.8 MB; 10 exceed the request's 1 GiB.
    byte[] gray = ImageBombs.zeroPng(6000, 6600, 8, 0);
    long before = HostBuffer.liveBytes();
    assertInvalid(() -> defaults.decodeBatch(Collections.nCopies(10, gray)),
        "the request's 10 images need 1188000000 bytes to decode; the limit is 1073741824 "
            + "(max_request_decoded_bytes)");
    assertEquals(before, HostBuffer.liveBytes(), "refused before the tensor was allocated");
  }

  @Test
  void anExpiredDeadlineDecodesNothingWithTensorFlow() {
    byte[] png16 = ImageBombs.zeroPng(6000, 3000, 16, 2);
    long before = HostBuffer.liveBytes();
    try (ImagePreprocessor preprocessor = new ImagePreprocessor(ImageTestSupport.rawConfig(8, 8), POOL)) {
      long millis = timed(() -> {
        ServingException e = assertThrows(ServingException.class, () ->
            preprocessor.decodeBatch(List.of(png16, png16, png16), DecodeDeadline.afterNanos(0)));
        assertEquals(StatusCode.DEADLINE_EXCEEDED, e.code(), e.getMessage());
      });
      assertTrue(millis < 500, "answered after " + millis + " ms");
    }
    assertEquals(before, HostBuffer.liveBytes(), "tensor freed");
  }

  @Test
  void decoderMemoryIsReservedOnTheProcessBudgetAndReleased() {
    MemoryBudget previous = MemoryBudget.process();
    MemoryBudget budget = new MemoryBudget(10_000);
    MemoryBudget.install(budget);
    try {
      ImagePreprocessor preprocessor = closeAfter(new ImagePreprocessor(ImageTestSupport.rawConfig(8, 8), POOL));
      byte[] big = ImageTestSupport.encode(ImageTestSupport.quadrants(100, 100), "png"); // 30,000 B
      ServingException e = assertThrows(ServingException.class, () -> preprocessor.decodeBatch(List.of(big)));
      assertEquals(StatusCode.RESOURCE_EXHAUSTED, e.code());
      assertTrue(e.getMessage().startsWith("image 0: decoding an image needs 30000 bytes"), e.getMessage());
      assertEquals(0, budget.used());
      byte[] small = ImageTestSupport.encode(ImageTestSupport.quadrants(40, 40), "png"); // 4,800 B
      try (InputTensor ok = preprocessor.decodeBatch(List.of(small, small))) {
        assertEquals(2, ok.dim(0));
      }
      assertThrows(ServingException.class, () -> preprocessor.decodeBatch(List.of(small, big, small)));
      assertEquals(0, budget.used(), "released on every path");
    } finally {
      MemoryBudget.install(previous);
    }
  }

  private static void assertInvalid(Executable call, String message) {
    ServingException e = assertThrows(ServingException.class, call);
    assertEquals(StatusCode.INVALID_ARGUMENT, e.code());
    assertEquals(message, e.getMessage());
  }

  private static long timed(Runnable body) {
    long started = System.nanoTime();
    body.run();
    return (System.nanoTime() - started) / 1_000_000;
  }
}
