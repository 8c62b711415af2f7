package io.tessera.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Shape checks with TensorShape::IsValidShape's wording, before any buffer exists. */
class ShapesTest {
  @Test
  void countsElements() {
    assertEquals(6, Shapes.checkedElementCount(new long[] {2, 3}));
    assertEquals(1, Shapes.checkedElementCount(new long[0]));
    assertEquals(0, Shapes.checkedElementCount(new long[] {0, 5}));
    assertEquals(1L << 62, Shapes.checkedElementCount(new long[] {1L << 31, 1L << 31}));
  }

  @Test
  void overflowIsInvalidArgument() {
    ServingException e = assertThrows(ServingException.class,
        () -> Shapes.checkedElementCount(new long[] {1L << 62, 1L << 62}));
    assertEquals(StatusCode.INVALID_ARGUMENT, e.code());
    assertEquals("Shape [4611686018427387904,4611686018427387904] is too large (more than 2**63 - 1 entries)",
        e.getMessage());
    // A zero dimension does not excuse the others overflowing (TensorShape multiplies in order).
    assertThrows(ServingException.class,
        () -> Shapes.checkedElementCount(new long[] {0, 1L << 62, 1L << 62}));
  }

  @Test
  void rankIsAtMostTensorFlowsMaximum() {
    long[] max = new long[Shapes.MAX_RANK];
    Arrays.fill(max, 1);
    assertEquals(1, Shapes.checkedElementCount(max));
    long[] deeper = new long[300];
    Arrays.fill(deeper, 1);
    ServingException e = assertThrows(ServingException.class, () -> Shapes.checkedElementCount(deeper));
    assertEquals(StatusCode.INVALID_ARGUMENT, e.code());
    assertEquals("Shape " + Shapes.debugString(deeper) + " has too many dimensions", e.getMessage());
  }

  @Test
  void byteSizeOverflowIsInvalidArgument() {
    long[] shape = {1L << 61};
    assertEquals(StatusCode.INVALID_ARGUMENT, assertThrows(ServingException.class,
        () -> Shapes.checkedByteSize(DataType.DT_DOUBLE, 1L << 61, shape)).code());
    assertEquals(16, Shapes.checkedByteSize(DataType.DT_FLOAT, 4, new long[] {4}));
  }
}
