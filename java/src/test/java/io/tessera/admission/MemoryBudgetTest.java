package io.tessera.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import org.junit.jupiter.api.Test;

class MemoryBudgetTest {
  @Test
  void reservationsThatDoNotFitAreRefusedAndReleasedOnClose() {
    MemoryBudget budget = new MemoryBudget(1000);
    MemoryBudget.Reservation a = budget.reserve(600, "request body");
    ServingException busy = assertThrows(ServingException.class, () -> budget.reserve(500, "input x"));
    assertEquals(StatusCode.RESOURCE_EXHAUSTED, busy.code());
    assertTrue(busy.getMessage().contains("input x needs 500 bytes"), busy.getMessage());
    assertEquals(600, budget.used(), "a refused reservation holds nothing");
    a.close();
    a.close();  // idempotent
    assertEquals(0, budget.used());
    budget.reserve(1000, "all").close();
  }

  @Test
  void growingPastTheLimitKeepsWhatIsHeldAndOversizedRequestsSayWhy() {
    MemoryBudget budget = new MemoryBudget(1000);
    try (MemoryBudget.Reservation r = budget.reserve(100, "tensor")) {
      r.grow(800, "tensor");
      assertThrows(ServingException.class, () -> r.grow(200, "tensor"));
      assertEquals(900, r.bytes());
      r.shrink(400);
      assertEquals(500, budget.used());
    }
    assertEquals(0, budget.used());
    ServingException never = assertThrows(ServingException.class, () -> budget.reserve(5000, "image"));
    assertTrue(never.getMessage().contains("more than the server's limit"), never.getMessage());
    assertThrows(ServingException.class, () -> budget.reserve(-1, "negative"));
    assertThrows(ServingException.class, () -> budget.reserve(Long.MAX_VALUE, "huge"));
    assertEquals(0, budget.used());
  }

  @Test
  void autoLimitFollowsTheHeap() {
    assertTrue(MemoryBudget.autoLimit() >= MemoryBudget.MIN_AUTO_BYTES);
    assertTrue(MemoryBudget.autoLimit() <= Math.max(MemoryBudget.MIN_AUTO_BYTES, Runtime.getRuntime().maxMemory()));
  }
}
