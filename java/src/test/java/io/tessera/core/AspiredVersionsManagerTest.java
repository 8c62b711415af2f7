package io.tessera.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The manager with fake servables: versions move as aspired and handles delay teardown. */
class AspiredVersionsManagerTest {
  /** A servable that records whether it was closed. */
  static final class FakeServable implements AutoCloseable {
    final AtomicBoolean closed = new AtomicBoolean();
    volatile String closedOn;

    @Override
    public void close() {
      closedOn = Thread.currentThread().getName();
      closed.set(true);
    }
  }

  private static AspiredVersionsManager<FakeServable> manager() {
    return new AspiredVersionsManager<>(new AspiredVersionsManager.Options(0, Duration.ZERO),
        AspiredVersionPolicy.AVAILABILITY_PRESERVING);
  }

  @Test
  void servesNewestAndUnloadsOldOnlyAfterLastHandleCloses() throws Exception {
    try (AspiredVersionsManager<FakeServable> manager = manager()) {
      FakeServable v1 = new FakeServable();
      FakeServable v2 = new FakeServable();
      manager.setAspiredVersions("m", Map.of(1L, () -> v1));
      assertTrue(manager.awaitSettled("m", Duration.ofSeconds(5)));
      ServableHandle<FakeServable> held = manager.acquire("m", null);
      assertEquals(1, held.id().version());

      manager.setAspiredVersions("m", Map.of(2L, () -> v2));
      waitFor(() -> {
        try (ServableHandle<FakeServable> latest = manager.acquire("m", null)) {
          return latest.id().version() == 2;
        }
      });
      // Version 1 leaves the serving map right after version 2 arrives (the next policy step) ...
      waitFor(() -> {
        try (ServableHandle<FakeServable> old = manager.acquire("m", 1L)) {
          return false;
        } catch (ServingException unloading) {
          return true;
        }
      });
      assertThrows(ServingException.class, () -> manager.acquire("m", 1L));
      // ... but is not torn down while a request still holds it.
      assertFalse(v1.closed.get(), "version 1 must stay alive while a request holds it");
      held.close();
      held.close();
      waitFor(v1.closed::get);
      waitFor(() -> manager.monitor().versions("m").get(1).state() == ServableState.END);
      assertEquals(ServableState.AVAILABLE, manager.monitor().versions("m").get(0).state());
    }
  }

  @Test
  void failedLoadIsReportedAndNeverDisplacesServingVersion() throws Exception {
    try (AspiredVersionsManager<FakeServable> manager = manager()) {
      manager.setAspiredVersions("m", Map.of(1L, FakeServable::new));
      assertTrue(manager.awaitSettled("m", Duration.ofSeconds(5)));
      manager.setAspiredVersions("m", Map.of(2L, () -> {
        throw ServingException.invalidArgument("broken model");
      }));
      waitFor(() -> manager.monitor().versions("m").get(0).state() == ServableState.END);
      VersionStatus failed = manager.monitor().versions("m").get(0);
      assertEquals(StatusCode.INVALID_ARGUMENT, failed.errorCode());
      assertEquals("broken model", failed.errorMessage());
      try (ServableHandle<FakeServable> h = manager.acquire("m", null)) {
        assertEquals(1, h.id().version());
      }
    }
  }

  @Test
  void unknownModelIsNotFoundInTfServingWords() {
    try (AspiredVersionsManager<FakeServable> manager = manager()) {
      ServingException e = assertThrows(ServingException.class, () -> manager.acquire("x", null));
      assertEquals(StatusCode.NOT_FOUND, e.code());
      assertEquals("Servable not found for request: Latest(x)", e.getMessage());
    }
  }

  private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (true) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (ServingException e) {
        // not there yet
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not reached in 5 s");
      }
      Thread.sleep(10);
    }
  }

  @Test
  void failedLoadsAreRetriedAndRetriesStopWhenNoLongerAspired() throws Exception {
    AtomicInteger attempts = new AtomicInteger();
    try (AspiredVersionsManager<FakeServable> manager = new AspiredVersionsManager<>(
        new AspiredVersionsManager.Options(3, Duration.ofMillis(10)), AspiredVersionPolicy.AVAILABILITY_PRESERVING)) {
      manager.setAspiredVersions("m", Map.of(1L, () -> {
        if (attempts.incrementAndGet() < 3) {
          throw ServingException.internal("flaky " + attempts.get());
        }
        return new FakeServable();
      }));
      assertTrue(manager.awaitIdle(Duration.ofSeconds(5)));
      assertEquals(3, attempts.get());
      assertEquals(ServableState.AVAILABLE, manager.monitor().versions("m").get(0).state());

      AtomicInteger badAttempts = new AtomicInteger();
      manager.setAspiredVersions("m", Map.of(1L, () -> new FakeServable(), 2L, () -> {
        badAttempts.incrementAndGet();
        throw ServingException.internal("broken");
      }));
      assertTrue(manager.awaitIdle(Duration.ofSeconds(5)));
      assertEquals(4, badAttempts.get());  // 1 + 3 retries
      VersionStatus failed = manager.monitor().versions("m").get(0);
      assertEquals(ServableState.END, failed.state());
      assertEquals(StatusCode.INTERNAL, failed.errorCode());
      assertEquals("broken", failed.errorMessage());
      try (ServableHandle<FakeServable> h = manager.acquire("m", null)) {
        assertEquals(1, h.id().version());  // the failure displaced nothing
      }
    }
    try (AspiredVersionsManager<FakeServable> manager = new AspiredVersionsManager<>(
        new AspiredVersionsManager.Options(5, Duration.ofMinutes(1)), AspiredVersionPolicy.AVAILABILITY_PRESERVING)) {
      manager.setAspiredVersions("m", Map.of(1L, () -> {
        throw ServingException.internal("broken");
      }));
      Thread.sleep(100);
      long started = System.nanoTime();
      manager.setAspiredVersions("m", Map.of());
      assertTrue(manager.awaitIdle(Duration.ofSeconds(5)));
      assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(5));
    }
  }

  @Test
  void reloadingAVersionStillDrainingKeepsItsNewStatus() throws Exception {
    try (AspiredVersionsManager<FakeServable> manager = manager()) {
      FakeServable first = new FakeServable();
      manager.setAspiredVersions("m", Map.of(1L, () -> first));
      assertTrue(manager.awaitIdle(Duration.ofSeconds(5)));
      ServableHandle<FakeServable> draining = manager.acquire("m", 1L);
      manager.setAspiredVersions("m", Map.of());
      assertTrue(manager.awaitIdle(Duration.ofSeconds(5)));
      manager.setAspiredVersions("m", Map.of(1L, FakeServable::new));
      assertTrue(manager.awaitIdle(Duration.ofSeconds(5)));
      draining.close();  // the old instance finishes unloading after the new one is AVAILABLE
      assertTrue(first.closed.get());
      assertTrue(manager.awaitIdle(Duration.ofSeconds(5)));
      assertEquals(ServableState.AVAILABLE, manager.monitor().versions("m").get(0).state());
      try (ServableHandle<FakeServable> h = manager.acquire("m", 1L)) {
        assertFalse(h.servable().closed.get());
      }
    }
  }

  @Test
  void differentServablesLoadInParallel() throws Exception {
    CountDownLatch bothLoading = new CountDownLatch(2);
    Loader<FakeServable> rendezvous = () -> {
      bothLoading.countDown();
      if (!bothLoading.await(5, TimeUnit.SECONDS)) {
        throw ServingException.internal("the other servable never started loading");
      }
      return new FakeServable();
    };
    try (AspiredVersionsManager<FakeServable> manager = new AspiredVersionsManager<>(
        new AspiredVersionsManager.Options(0, Duration.ZERO, 2), AspiredVersionPolicy.AVAILABILITY_PRESERVING)) {
      manager.setAspiredVersions("a", Map.of(1L, rendezvous));
      manager.setAspiredVersions("b", Map.of(1L, rendezvous));
      assertTrue(manager.awaitIdle(Duration.ofSeconds(10)));
      assertEquals(ServableState.AVAILABLE, manager.monitor().versions("a").get(0).state());
      assertEquals(ServableState.AVAILABLE, manager.monitor().versions("b").get(0).state());
    }
  }

  /** TF Serving's --num_unload_threads: N frees versions on N unload threads, 0 on the manager. */
  @Test
  void unloadThreadsFreeUnloadedVersions() throws Exception {
    for (int unloadThreads : new int[] {0, 2}) {
      FakeServable v1 = new FakeServable();
      try (AspiredVersionsManager<FakeServable> manager = new AspiredVersionsManager<>(
          new AspiredVersionsManager.Options(0, Duration.ZERO, 1, unloadThreads),
          AspiredVersionPolicy.AVAILABILITY_PRESERVING)) {
        manager.setAspiredVersions("m", Map.of(1L, () -> v1));
        assertTrue(manager.awaitIdle(Duration.ofSeconds(5)));
        manager.setAspiredVersions("m", Map.of());
        waitFor(v1.closed::get);
      }
      String expected = unloadThreads == 0 ? "tessera-manager-" : "tessera-unload-";
      assertTrue(v1.closedOn.startsWith(expected), unloadThreads + " unload threads: freed on " + v1.closedOn);
    }
  }

  /** TF Serving's --num_load_threads after the initial load: 0 (and 1) load one version at a time. */
  @Test
  void loadThreadsCanChangeAfterTheInitialLoad() throws Exception {
    AtomicInteger loading = new AtomicInteger();
    AtomicInteger mostAtOnce = new AtomicInteger();
    Loader<FakeServable> slow = () -> {
      mostAtOnce.accumulateAndGet(loading.incrementAndGet(), Math::max);
      Thread.sleep(100);
      loading.decrementAndGet();
      return new FakeServable();
    };
    try (AspiredVersionsManager<FakeServable> manager = new AspiredVersionsManager<>(
        new AspiredVersionsManager.Options(0, Duration.ZERO, 4), AspiredVersionPolicy.AVAILABILITY_PRESERVING)) {
      manager.setLoadThreads(0);
      waitFor(() -> manager.loadThreads() == 1);
      for (String name : new String[] {"a", "b", "c"}) {
        manager.setAspiredVersions(name, Map.of(1L, slow));
      }
      assertTrue(manager.awaitIdle(Duration.ofSeconds(10)));
      assertEquals(1, mostAtOnce.get(), "with 0 load threads versions load one at a time");

      manager.setLoadThreads(3);
      assertEquals(3, manager.loadThreads());
      CountDownLatch allLoading = new CountDownLatch(3);
      Loader<FakeServable> rendezvous = () -> {
        allLoading.countDown();
        if (!allLoading.await(5, TimeUnit.SECONDS)) {
          throw ServingException.internal("the others never started loading");
        }
        return new FakeServable();
      };
      for (String name : new String[] {"d", "e", "f"}) {
        manager.setAspiredVersions(name, Map.of(1L, rendezvous));
      }
      assertTrue(manager.awaitIdle(Duration.ofSeconds(10)));
      for (String name : new String[] {"d", "e", "f"}) {
        assertEquals(ServableState.AVAILABLE, manager.monitor().versions(name).get(0).state(), name);
      }
    }
  }
}
