package io.tessera.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.nativebridge.HostBuffer;
import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import io.tessera.tensor.InputTensor;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The decode pool's bounds: a memory budget smaller than one image, a full queue, concurrency. */
class DecodePoolTest {
  private static final byte[] IMAGE = ImageTestSupport.encode(ImageTestSupport.quadrants(128, 64), "png");

  @Test
  void imagesLargerThanTheWholeBudgetStillDecodeOneAtATime() {
    DecodePool pool = new DecodePool(3, 64, 1024); // 1 KiB: less than one 128x64 image
    try (ImagePreprocessor preprocessor = new ImagePreprocessor(ImageTestSupport.rawConfig(16, 16), pool);
         InputTensor tensor = preprocessor.decodeBatch(Collections.nCopies(12, IMAGE))) {
      assertArrayEquals(new long[] {12, 16, 16, 3}, tensor.shape());
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void budgetLimitsHowManyDecodesHoldMemoryAtOnce() throws Exception {
    DecodePool pool = new DecodePool(4, 64, 10 * 1024); // 10 KiB = 2 images of 5,120 bytes
    PixelReservation reservation = pool.reservation();
    AtomicInteger holding = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(8);
    for (int i = 0; i < 8; i++) {
      pool.execute(() -> {
        try (PixelReservation.Lease lease = reservation.reserve(5120, DecodeDeadline.NONE)) {
          most.accumulateAndGet(holding.incrementAndGet(), Math::max);
          Thread.sleep(20);
          holding.decrementAndGet();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          done.countDown();
        }
      });
    }
    assertTrue(done.await(10, TimeUnit.SECONDS));
    assertEquals(2, most.get());
    pool.shutdown();
  }

  @Test
  void aFullQueueIsResourceExhaustedAndFreesTheBuffer() {
    DecodePool pool = new DecodePool(1, 2, 64L << 20);
    long before = HostBuffer.liveBytes();
    try {
      ServingException e = assertThrows(ServingException.class, () ->
          ImageTestSupport.decodeOnce(ImageTestSupport.rawConfig(16, 16), pool, Collections.nCopies(50, IMAGE)));
      assertEquals(StatusCode.RESOURCE_EXHAUSTED, e.code());
      assertEquals(before, HostBuffer.liveBytes());
      // The pool still works afterwards.
      try (ImagePreprocessor preprocessor = new ImagePreprocessor(ImageTestSupport.rawConfig(16, 16), pool);
           InputTensor tensor = preprocessor.decodeBatch(List.of(IMAGE, IMAGE))) {
        assertEquals(2, tensor.dim(0));
      }
    } finally {
      pool.shutdown();
    }
  }
}
