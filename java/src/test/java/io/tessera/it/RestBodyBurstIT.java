package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A burst of big REST bodies against a separate server process with a 2 GiB memory limit and
 * default flags (memory budget = half the heap): 30 POSTs of 32–64 MB from 4 connections. Every
 * answer is 200, 429 or 413 (never a 500 or a dropped connection) and peak RSS stays under
 * {@link #PEAK_RSS_LIMIT}: each body is held once, in a direct buffer charged to the budget.
 */
class RestBodyBurstIT {
  /**
   * 1.25 GiB. Measured on the 2-core dev machine: idle ≈ 340 MiB, peak 1026–1045 MiB; the transport
   * before hardening (body aggregated, then copied to the heap) peaked at 1482 MiB on this test.
   */
  static final long PEAK_RSS_LIMIT = 1280L << 20;
  private static final String MODEL = "half";

  /**
   * About {@code bytes} of {@code {"instances": [1.0, ...]}} with 32 bytes per value (whitespace
   * padded, as pretty-printed JSON can be): the body is big, the tensor and the answer a quarter of
   * it, so the test measures what holding bodies costs, in well under a minute.
   */
  static String paddedInstances(int bytes) {
    String value = "1.0," + " ".repeat(28);
    return "{\"instances\": [" + value.repeat(bytes / value.length()) + "1.0]}";
  }

  @Test
  @Timeout(value = 150, unit = TimeUnit.SECONDS)
  void bigBodiesFromFourConnectionsStayWithinMemory() throws Exception {
    List<byte[]> bodies = new ArrayList<>();
    for (int mb : new int[] {32, 43, 53, 64}) {
      bodies.add(RawHttp.post("/v1/models/" + MODEL + ":predict", paddedInstances(mb << 20)));
    }
    AtomicInteger done = new AtomicInteger();
    Set<Integer> statuses = ConcurrentHashMap.newKeySet();
    ExecutorService clients = Executors.newFixedThreadPool(4);
    try (ServerProcess server = ServerProcess.start("-XX:MaxRAM=2g", "/v1/models/" + MODEL,
        "--model_name=" + MODEL,
        "--model_base_path=" + TestServer.shared("testdata/saved_model_half_plus_two_cpu"))) {
      long idle = server.rssBytes();
      server.resetPeakRss();
      long started = System.nanoTime();
      List<Future<?>> connections = new ArrayList<>();
      for (int c = 0; c < 4; c++) {
        int first = c;
        connections.add(clients.submit(() -> {
          RawHttp conn = RawHttp.connect(server.restPort(), 60_000);
          try {
            for (int i = first; i < 30; i += 4) {
              int status = conn.send(bodies.get(i % bodies.size())).read(false).status();
              statuses.add(status);
              done.incrementAndGet();
              if (status != 200) {  // refused bodies end their connection
                conn.close();
                conn = RawHttp.connect(server.restPort(), 60_000);
              }
            }
          } finally {
            conn.close();
          }
          return null;
        }));
      }
      for (Future<?> f : connections) {
        f.get(120, TimeUnit.SECONDS);
      }
      long peak = server.peakRssBytes();
      System.out.printf("RestBodyBurstIT: %d answers %s in %.1f s; RSS idle %d MiB, peak %d MiB%n",
          done.get(), statuses, (System.nanoTime() - started) / 1e9, idle >> 20, peak >> 20);
      assertEquals(30, done.get());
      assertTrue(Set.of(200, 413, 429).containsAll(statuses), statuses.toString());
      assertTrue(peak < PEAK_RSS_LIMIT, "peak RSS " + (peak >> 20) + " MiB");
      String log = server.output();
      assertTrue(!log.contains("java.lang.OutOfMemoryError") && !log.contains("LEAK"),
          log.substring(Math.max(0, log.length() - 4000)));
      assertTrue(log.getBytes(StandardCharsets.UTF_8).length < 1 << 20, "log stays small");
    } finally {
      clients.shutdownNow();
    }
  }
}
