package io.tessera.nativebridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The host allocator choice: pinned CUDA memory only where a CUDA runtime and a device exist,
 * otherwise the aligned fallback; either way buffers are 64-byte aligned and usable.
 */
class HostAllocatorTest {
  @Test
  void fallsBackToAlignedMemoryWithoutCudaAndSaysWhy() {
    boolean cudaHere = Files.exists(Path.of("/dev/nvidia0"));
    String name = HostBuffer.allocatorName();
    assertEquals(cudaHere ? "cuda-pinned" : "aligned-host", name, HostBuffer.allocatorReason());
    assertFalse(HostBuffer.allocatorReason().isBlank());
    if (!cudaHere) {
      assertTrue(HostBuffer.allocatorReason().contains("CUDA") || HostBuffer.allocatorReason().contains("TESSERA_HOST_ALLOCATOR"),
          HostBuffer.allocatorReason());
    }
  }

  @Test
  void buffersAre64ByteAlignedAndWritable() {
    long before = HostBuffer.liveBytes();
    for (long size : new long[] {0, 1, 63, 64, 65, 4096, 602_112, 10 << 20}) {
      try (HostBuffer buffer = HostBuffer.allocate(size)) {
        assertEquals(0, buffer.address() % HostBuffer.ALIGNMENT, "size " + size);
        if (size > 0) {
          buffer.data().put((int) size - 1, (byte) 7);
          assertEquals(7, buffer.data().get((int) size - 1));
        }
      }
    }
    assertEquals(before, HostBuffer.liveBytes());
  }
}
