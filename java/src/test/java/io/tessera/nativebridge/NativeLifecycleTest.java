package io.tessera.nativebridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The native layer against real TensorFlow: runs, errors, ownership, and no leaks over reloads. */
class NativeLifecycleTest {
  private static final String HALF_PLUS_TWO = Path.of(System.getProperty("tessera.shared.dir", "../../shared"))
      .resolve("testdata/saved_model_half_plus_two_cpu/00000123").toAbsolutePath().toString();

  @Test
  void runsHalfPlusTwoWithoutCopyingInputs() {
    try (SavedModelSession session = SavedModelSession.load(HALF_PLUS_TWO, List.of("serve"), null);
        HostBuffer input = HostBuffer.allocate(12)) {
      assertTrue(session.takeMetaGraphDef().length > 0);
      assertThrows(IllegalStateException.class, session::takeMetaGraphDef, "the session keeps no copy");
      assertTrue(session.devices().get(0).contains("CPU"));
      input.data().putFloat(0, 1f).putFloat(4, 2f).putFloat(8, 5f);
      try (RunCall call = session.newRunCall()) {
        call.addInput(session.resolveEndpoint("x:0"), 1, new long[] {3}, input, 0, 12);
        call.addOutput(session.resolveEndpoint("y:0"));
        call.run(true, 0);
        assertEquals(1, call.outputDtype(0));
        assertArrayEquals(new long[] {3}, call.outputShape(0));
        ByteBuffer y = call.outputData(0);
        assertEquals(2.5f, y.getFloat(0));
        assertEquals(3.0f, y.getFloat(4));
        assertEquals(4.5f, y.getFloat(8));
      }
    }
  }

  @Test
  void pooledRunCallsAreResetAndReusedWithFreshOutputs() {
    SavedModelSession session = SavedModelSession.load(HALF_PLUS_TWO, List.of("serve"), null);
    RunCall pooled;
    RunCall leased;
    try (HostBuffer small = HostBuffer.allocate(8); HostBuffer large = HostBuffer.allocate(4096)) {
      int x = session.resolveEndpoint("x:0");
      int y = session.resolveEndpoint("y:0");
      small.data().putFloat(0, 4f).putFloat(4, 6f);
      RunCall first = session.newRunCall();
      first.addInput(x, 1, new long[] {2}, small, 0, 8);
      first.addOutput(y);
      first.run(true, 0);
      assertEquals(4f, first.outputData(0).getFloat(0));  // small: copied into the layout block
      ServingException again = assertThrows(ServingException.class, () -> first.run(true, 0));
      assertEquals(StatusCode.FAILED_PRECONDITION, again.code());
      session.recycle(first);

      RunCall second = session.newRunCall();
      assertSame(first, second, "an idle call is reused on the same thread");
      assertThrows(IndexOutOfBoundsException.class, () -> second.outputDtype(0), "outputs were reset");
      for (int i = 0; i < 1024; i++) {
        large.data().putFloat(i * 4, i);
      }
      second.addInput(x, 1, new long[] {32, 32}, large, 0, 4096);
      second.addOutput(y);
      second.run(false, 10_000);  // other RunOptions than the first use
      assertArrayEquals(new long[] {32, 32}, second.outputShape(0));
      ByteBuffer out = second.outputData(0);  // 4 KiB: read in place in TensorFlow's tensor
      assertEquals(4096, out.remaining());
      assertEquals(0.5f * 1023 + 2f, out.getFloat(4092));
      session.recycle(second);
      pooled = session.newRunCall();
      leased = session.newRunCall();  // the pool is empty now: a new call
      session.recycle(pooled);
    } finally {
      session.close();
    }
    assertTrue(pooled.isClosed(), "idle calls are freed with their session");
    assertTrue(!leased.isClosed());
    session.recycle(leased);  // handed back after the session closed: freed, not pooled
    assertTrue(leased.isClosed());
  }

  @Test
  void outputsBeyondTheLayoutBlockAreReadThroughTheNativeAccessors() {
    try (SavedModelSession session = SavedModelSession.load(HALF_PLUS_TWO, List.of("serve"), null);
        HostBuffer input = HostBuffer.allocate(4)) {
      input.data().putFloat(0, 8f);
      long[] rank12 = new long[12];
      java.util.Arrays.fill(rank12, 1);
      try (RunCall call = session.newRunCall()) {
        call.addInput(session.resolveEndpoint("x:0"), 1, rank12, input, 0, 4);
        for (int i = 0; i < 40; i++) {  // 40 fetches of rank 12 need 681 slots: more than the block
          call.addOutput(session.resolveEndpoint("y:0"));
        }
        call.run(true, 0);
        assertArrayEquals(rank12, call.outputShape(39));
        assertEquals(1, call.outputDtype(39));
        assertEquals(6f, call.outputData(39).getFloat(0));
      }
    }
  }

  @Test
  void nativeErrorsBecomeServingExceptionsWithTensorFlowCodes() {
    ServingException missing = assertThrows(ServingException.class,
        () -> SavedModelSession.load("/nonexistent/model", List.of("serve"), null));
    assertEquals(StatusCode.NOT_FOUND, missing.code(), missing.getMessage());

    ServingException badConfig = assertThrows(ServingException.class,
        () -> SavedModelSession.load(HALF_PLUS_TWO, List.of("serve"), new byte[] {(byte) 0xff, (byte) 0xff, 1}));
    assertEquals(StatusCode.INVALID_ARGUMENT, badConfig.code(), badConfig.getMessage());

    try (SavedModelSession session = SavedModelSession.load(HALF_PLUS_TWO, List.of("serve"), null);
        HostBuffer input = HostBuffer.allocate(12)) {
      assertEquals(StatusCode.NOT_FOUND,
          assertThrows(ServingException.class, () -> session.resolveEndpoint("nope:0")).code());
      try (RunCall call = session.newRunCall()) {
        // Byte size that does not match the shape is rejected natively when the staged feed is
        // taken, not read out of bounds; the call is then reset and usable again.
        call.addInput(session.resolveEndpoint("x:0"), 1, new long[] {4}, input, 0, 12);
        call.addOutput(session.resolveEndpoint("y:0"));
        ServingException mismatch = assertThrows(ServingException.class, () -> call.run(true, 0));
        assertEquals(StatusCode.INVALID_ARGUMENT, mismatch.code());
        assertTrue(mismatch.getMessage().contains("does not match its dtype and shape"), mismatch.getMessage());
        call.reset();
        input.data().putFloat(0, 2f);
        call.addInput(session.resolveEndpoint("x:0"), 1, new long[] {1}, input, 0, 4);
        call.addOutput(session.resolveEndpoint("y:0"));
        call.run(true, 0);
        assertEquals(3f, call.outputData(0).getFloat(0));
      }
    }
  }

  @Test
  void useAfterCloseThrowsAndCloseIsIdempotent() {
    SavedModelSession session = SavedModelSession.load(HALF_PLUS_TWO, List.of("serve"), null);
    session.close();
    session.close();
    assertTrue(session.isClosed());
    assertThrows(IllegalStateException.class, () -> session.resolveEndpoint("x:0"));
    assertThrows(IllegalStateException.class, session::newRunCall);
    HostBuffer buffer = HostBuffer.allocate(64);
    buffer.close();
    assertThrows(IllegalStateException.class, buffer::data);
  }

  @Test
  void loadUnloadCyclesKeepMemoryAndHandlesSteady() throws IOException {
    long baselineBuffers = HostBuffer.liveBytes();
    cycle(20);  // warm up allocator arenas and TF's one-time state
    long rssBefore = rssKb();
    long fdsBefore = openFds();
    cycle(100);
    long rssGrowthKb = rssKb() - rssBefore;
    long fdGrowth = openFds() - fdsBefore;
    assertTrue(rssGrowthKb < 40_000, "RSS grew by " + rssGrowthKb + " kB over 100 load/unload cycles");
    assertTrue(fdGrowth <= 2, "open file descriptors grew by " + fdGrowth);
    assertEquals(baselineBuffers, HostBuffer.liveBytes(), "native host buffers leaked");
    assertEquals(0, NativeHandle.leakCount());
  }

  private static void cycle(int times) {
    for (int i = 0; i < times; i++) {
      try (SavedModelSession session = SavedModelSession.load(HALF_PLUS_TWO, List.of("serve"), null);
          HostBuffer input = HostBuffer.allocate(4096)) {
        input.data().putFloat(0, i);
        try (RunCall call = session.newRunCall()) {
          call.addInput(session.resolveEndpoint("x:0"), 1, new long[] {1024}, input, 0, 4096);
          call.addOutput(session.resolveEndpoint("y:0"));
          call.run(i % 2 == 0, 0);
          assertEquals(0.5f * i + 2f, call.outputData(0).getFloat(0));
        }
      }
    }
  }

  private static long rssKb() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IllegalStateException("no VmRSS");
  }

  private static long openFds() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count();
    }
  }
}
