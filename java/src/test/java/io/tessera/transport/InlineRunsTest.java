package io.tessera.transport;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.transport.InlineRuns;
import org.junit.jupiter.api.Test;

class InlineRunsTest {
  private static final String TINY = "PREDICT tiny";
  private static final String OTHER = "PREDICT other";

  @Test
  void policyNeedsAKnownCheapRouteAndASmallBody() {
    assertFalse(InlineRuns.runInline(100, -1, 50_000), "unmeasured route");
    assertTrue(InlineRuns.runInline(100, 20_000, 50_000));
    assertFalse(InlineRuns.runInline(100, 60_000, 50_000), "too slow");
    assertFalse(InlineRuns.runInline(InlineRuns.MAX_INLINE_BODY_BYTES + 1, 20_000, 50_000), "body too large");
    assertFalse(InlineRuns.runInline(100, 0, 0), "turned off");
  }

  @Test
  void routesAreMeasuredApartAndASlowRequestStopsInlining() {
    InlineRuns inline = new InlineRuns(50);
    assertFalse(inline.runInline(TINY, 20), "first requests go to the workers");
    inline.record(TINY, 10_000);
    assertTrue(inline.runInline(TINY, 20));
    assertFalse(inline.runInline(OTHER, 20), "another route is measured on its own");
    inline.record(TINY, 5_000_000);  // one 5 ms request: the average jumps far above 50 µs
    assertFalse(inline.runInline(TINY, 20));
    for (int i = 0; i < 3; i++) {
      inline.record(TINY, 10_000);  // cheap again: not yet trusted after a few requests
    }
    assertFalse(inline.runInline(TINY, 20));
    for (int i = 0; i < 5; i++) {
      inline.record(TINY, 10_000);  // the estimate falls fast towards cheaper samples
    }
    assertTrue(inline.runInline(TINY, 20));
    for (int i = 0; i < 8; i++) {
      inline.record(TINY, 80_000);  // a route that became dearer rises past the limit too
    }
    assertFalse(inline.runInline(TINY, 20));
  }

  @Test
  void theRouteTableIsBounded() {
    InlineRuns inline = new InlineRuns(50);
    for (int i = 0; i < InlineRuns.MAX_ROUTES + 100; i++) {
      inline.record("PREDICT model-" + i, 1_000);
    }
    assertTrue(inline.runInline("PREDICT model-0", 20));
    assertFalse(inline.runInline("PREDICT model-" + (InlineRuns.MAX_ROUTES + 50), 20), "not tracked");
  }

  @Test
  void zeroTurnsInliningOff() {
    InlineRuns off = new InlineRuns(0);
    off.record(TINY, 1_000);
    assertFalse(off.runInline(TINY, 20));
  }
}
