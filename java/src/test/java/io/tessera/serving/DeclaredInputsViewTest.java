package io.tessera.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.status.ServingException;
import io.tessera.tensor.DataType;
import io.tessera.tensor.InputTensor;
import io.tessera.tensor.SharedHostBuffer;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Raw inputs in a shared aligned buffer: views at 64-byte boundaries, one copy elsewhere. */
class DeclaredInputsViewTest {
  @Test
  void anAlignedRawInputIsAViewAndAnUnalignedOneACopy() {
    SharedHostBuffer host = SharedHostBuffer.allocate(256);
    try {
      ByteBuffer bytes = host.data().duplicate().order(host.data().order());
      bytes.putFloat(64, 1f).putFloat(68, 2f).putFloat(72, 5f).putFloat(76, 7f);
      long viewed = SharedHostBuffer.viewedBytes();
      try (InputTensor aligned = DeclaredInputs.tensor("x", raw(host, 64, 3), "m");
          InputTensor unaligned = DeclaredInputs.tensor("z", raw(host, 76, 1), "m")) {
        assertEquals(host.address() + 64, aligned.dataAddress(), "fed where the bytes lie");
        assertEquals(12, SharedHostBuffer.viewedBytes() - viewed, "only the aligned input is a view");
        long copy = unaligned.dataAddress();
        assertFalse(copy >= host.address() && copy < host.address() + host.size(), "copied out");
        assertEquals(0, copy % SharedHostBuffer.ALIGNMENT);
        assertEquals(5f, aligned.denseData().getFloat(8));
        assertEquals(7f, unaligned.denseData().getFloat(0));
        aligned.close();  // idempotent: returns its one reference once
      }
    } finally {
      host.release();  // the last reference: would throw had a view given back two
    }
    assertThrows(IllegalStateException.class, host::release);
  }

  @Test
  void aViewIsStillCheckedAgainstItsShape() {
    SharedHostBuffer host = SharedHostBuffer.allocate(128);
    try {
      ServingException e = assertThrows(ServingException.class, () -> DeclaredInputs.tensor("x",
          new DeclaredTensor.Raw(DataType.DT_FLOAT, new long[] {3}, slice(host, 0, 8), host, 0), "m"));
      assertTrue(e.getMessage().contains("Expected 12, got 8"), e.getMessage());
    } finally {
      host.release();
    }
  }

  private static DeclaredTensor.Raw raw(SharedHostBuffer host, int offset, int floats) {
    return new DeclaredTensor.Raw(DataType.DT_FLOAT, new long[] {floats}, slice(host, offset, floats * 4), host,
        offset);
  }

  private static ByteBuffer slice(SharedHostBuffer host, int offset, int bytes) {
    return host.data().duplicate().position(offset).limit(offset + bytes).slice();
  }
}
