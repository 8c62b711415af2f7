package io.tessera.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Deadline;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ReloadTimeoutTest {
  @Test
  void theSoonerOfServerMaximumAndCallDeadline() {
    Duration max = Duration.ofSeconds(300);
    assertEquals(max, ModelServiceImpl.reloadTimeout(max, null));
    Duration call = ModelServiceImpl.reloadTimeout(max, Deadline.after(2, TimeUnit.SECONDS));
    assertTrue(call.compareTo(Duration.ofSeconds(2)) <= 0 && call.compareTo(Duration.ofMillis(1500)) > 0, call.toString());
    assertEquals(Duration.ofSeconds(1), ModelServiceImpl.reloadTimeout(Duration.ofSeconds(1),
        Deadline.after(1, TimeUnit.HOURS)));
    assertEquals(Duration.ZERO, ModelServiceImpl.reloadTimeout(max, Deadline.after(-1, TimeUnit.SECONDS)));
  }

  @Test
  void noServerMaximumLeavesTheCallDeadlineOrAVeryLongBound() {
    Duration call = ModelServiceImpl.reloadTimeout(Duration.ZERO, Deadline.after(1, TimeUnit.HOURS));
    assertTrue(call.compareTo(Duration.ofMinutes(59)) > 0 && call.compareTo(Duration.ofHours(1)) <= 0, call.toString());
    assertTrue(ModelServiceImpl.reloadTimeout(Duration.ZERO, null).toDays() >= 365);
  }
}
