package io.tessera.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The generator's contract: (seed, n) alone determines a case; cases are small; both APIs appear. */
class FuzzCasesTest {
  private static byte[] bytes(FuzzCase c) {
    return c.rest() != null ? c.rest().wire() : c.grpc().message();
  }

  @Test
  void aCaseDependsOnlyOnSeedAndNumber() {
    for (int n : new int[] {0, 1, 57, 165, 999}) {
      // generated out of order and twice: identical bytes and description
      FuzzCase later = FuzzCases.generate(42, n);
      FuzzCases.generate(42, n + 1);
      FuzzCase again = FuzzCases.generate(42, n);
      assertArrayEquals(bytes(later), bytes(again), "case " + n);
      assertEquals(later.description(), again.description());
    }
    assertNotEquals(FuzzCases.generate(1, 5).description() + FuzzCases.generate(1, 6).description(),
        FuzzCases.generate(2, 5).description() + FuzzCases.generate(2, 6).description());
  }

  @Test
  void casesAreSmallAndCoverRestAndGrpc() {
    int rest = 0;
    int grpc = 0;
    int pipelined = 0;
    for (int n = 0; n < 1500; n++) {
      FuzzCase c = FuzzCases.generate(20261201L, n);
      assertTrue(c.wireBytes() <= FuzzCases.MAX_WIRE_BYTES, c.toString());
      assertTrue(!c.description().isEmpty(), "case " + n + " has no description");
      if (c.rest() != null) {
        rest++;
        pipelined += c.rest().paths().size() > 1 ? 1 : 0;
      } else {
        grpc++;
      }
    }
    assertTrue(rest > 600 && grpc > 500 && pipelined > 50, rest + " REST, " + grpc + " gRPC, " + pipelined + " pipelined");
  }
}
