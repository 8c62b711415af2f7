package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.util.internal.PlatformDependent;
import io.tessera.admission.MemoryBudget;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The REST transport against a client that pipelines, never reads, or sends too much (raw sockets,
 * {@link RawHttp}): answers in request order, bounded memory per connection, errors cut to 1024
 * characters. Timeouts, the connection cap and the memory budget: {@link RestLimitsIT}.
 * Every test asserts that no request body stays charged to the memory budget.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RestHardeningIT {
  static final String PREDICT = "/v1/models/half:predict";
  private static TestServer server;
  private static final ExecutorService WRITERS = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "raw-http-writer");
    t.setDaemon(true);
    return t;
  });

  @BeforeAll
  static void start() throws Exception {
    // Every request on the worker pool: the case that used to answer out of order.
    server = TestServer.start("half", TestServer.shared("testdata/saved_model_half_plus_two_cpu"),
        "--inline_run_max_micros=0");
  }

  @AfterAll
  static void stop() throws Exception {
    WRITERS.shutdownNow();
    if (server != null) {
      server.close();
    }
    TestServer.assertNoLeaks();
  }

  static String instances(int n) {
    return "{\"instances\": [" + "1.0, ".repeat(n - 1) + "1.0]}";
  }

  /** Waits (bounded) until no request body is charged to the process budget. */
  static void assertBudgetReturned() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (MemoryBudget.process().used() != 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(0, MemoryBudget.process().used(), "request bodies still charged to the budget");
  }

  static long directMemory() {
    long used = ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric().usedDirectMemory();
    long unpooled = PlatformDependent.usedDirectMemory();
    return used + Math.max(0, unpooled);
  }

  @Test
  void pipelinedBigThenSmallIsAnsweredInOrder() throws Exception {
    int values = 1_600_000;  // ≈ 8 MB of JSON
    byte[] a = RawHttp.post(PREDICT, instances(values));
    byte[] b = RawHttp.post(PREDICT, "{\"instances\": [7.0]}");
    try (RawHttp c = RawHttp.connect(server.server().restPort(), 30_000)) {
      Future<?> sent = WRITERS.submit(() -> c.send(concat(a, b)));
      RawHttp.Response first = c.read();
      RawHttp.Response second = c.read();
      sent.get(10, TimeUnit.SECONDS);
      assertEquals(200, first.status(), first.body());
      assertEquals(values, TestServer.JSON.readTree(first.body()).get("predictions").size());
      assertEquals(200, second.status());
      assertEquals(TestServer.JSON.readTree("{\"predictions\": [5.5]}"), TestServer.JSON.readTree(second.body()));
    }
    assertBudgetReturned();
  }

  @Test
  void mixedPipelinedRequestsAreAnsweredInOrder() throws Exception {
    record Call(byte[] request, int status, String expect) {}
    List<Call> calls = List.of(
        new Call(RawHttp.post(PREDICT, "{\"instances\": [1.0, 2.0]}"), 200, "{\"predictions\": [2.5, 3.0]}"),
        new Call(RawHttp.get("/v1/models/half"), 200, "AVAILABLE"),
        new Call(RawHttp.get("/v1/models/half/metadata"), 200, "signature_def"),
        new Call(RawHttp.get("/no/such/page"), 404, "Not Found"),
        new Call(RawHttp.post(PREDICT, "{\"instances\": [1.0,"), 400, "JSON Parse error"),
        new Call(RawHttp.post("/v1/models/nope:predict", "{\"instances\": [1.0]}"), 404, "nope"),
        new Call(RawHttp.post(PREDICT, "{\"instances\": [7.0]}"), 200, "{\"predictions\": [5.5]}"),
        new Call(RawHttp.get("/v1/models/half/versions/999"), 404, "999"),
        new Call(RawHttp.post(PREDICT, instances(1000)), 200, "2.5, 2.5"),
        new Call(RawHttp.post(PREDICT, "{\"instances\": [3.0]}"), 200, "{\"predictions\": [3.5]}"),
        new Call("GET /v1/models/half HTTP/1.1\r\nBad Header\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
            400, "Malformed HTTP request"));  // answered, then the connection closes
    List<byte[]> all = new ArrayList<>();
    calls.forEach(call -> all.add(call.request()));
    try (RawHttp c = RawHttp.connect(server.server().restPort(), 20_000)) {
      c.send(concat(all.toArray(new byte[0][])));
      for (int i = 0; i < calls.size(); i++) {
        RawHttp.Response r = c.read();
        assertEquals(calls.get(i).status(), r.status(), "answer " + i + ": " + r.body());
        String expect = calls.get(i).expect();
        if (expect.startsWith("{")) {
          assertEquals(TestServer.JSON.readTree(expect), TestServer.JSON.readTree(r.body()), "answer " + i);
        } else {
          assertTrue(r.body().contains(expect), "answer " + i + ": " + r.body());
        }
      }
      assertEquals(0, c.readUntilClosed());
    }
    assertBudgetReturned();
  }

  @Test
  void aClientThatNeverReadsHoldsBoundedMemoryAndOthersAreServed() throws Exception {
    // Warm the allocator up so that the baseline includes its steady state.
    for (int i = 0; i < 5; i++) {
      assertEquals(200, server.post(PREDICT, instances(1000)).statusCode());
    }
    long before = directMemory();
    byte[] one = RawHttp.post(PREDICT, instances(100_000));  // ≈ 500 KB in, ≈ 500 KB out
    int requests = 200;  // ≈ 100 MB of pipelined requests whose answers are never read
    try (RawHttp slow = RawHttp.connect(server.server().restPort(), 20_000, 4096)) {
      WRITERS.submit(() -> {
        for (int i = 0; i < requests; i++) {
          slow.send(one);  // blocks once the server stops reading: that is the point
        }
        return null;
      });
      Thread.sleep(3000);
      long grown = directMemory() - before;
      System.out.println("RestHardeningIT: direct memory growth with " + requests
          + " pipelined unread requests: " + (grown >> 10) + " KiB");
      assertTrue(grown < (16L << 20), "direct memory grew by " + grown + " bytes");
      long started = System.nanoTime();
      assertEquals(200, server.post(PREDICT, "{\"instances\": [1.0]}").statusCode());
      assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(5));
    }
    assertBudgetReturned();
  }

  @Test
  void aHugeErrorMessageIsCutAt1024Characters() throws Exception {
    // A 4 MB b64 value sent to a float model: the error echoes it, the answer must not.
    String b64 = "QUFB".repeat(1 << 20);
    String body = "{\"instances\": [{\"b64\": \"" + b64 + "\"}]}";
    try (RawHttp c = RawHttp.connect(server.server().restPort(), 20_000)) {
      RawHttp.Response r = c.send(RawHttp.post(PREDICT, body)).read();
      assertEquals(400, r.status(), r.body().substring(0, Math.min(2000, r.body().length())));
      JsonNode error = TestServer.JSON.readTree(r.body()).get("error");
      System.out.println("RestHardeningIT: error answer " + r.body().length() + " chars: "
          + r.body().substring(0, Math.min(200, r.body().length())));
      assertTrue(r.body().length() < 1200, "error body of " + r.body().length() + " chars");
      // The echoed JSON value is cut to a short prefix first; ErrorText's 1024-character cut
      // ("...TRUNCATED") is the backstop for any other long message.
      assertTrue(error.asText().length() <= 1024 + "...TRUNCATED".length(), error.asText());
      assertTrue(error.asText().contains("is not of expected type: float"), error.asText());
    }
    assertBudgetReturned();
  }

  /** Fuzz cases 59, 57 and 305 (seed 20261201): once closed without an answer, now JSON 400s. */
  @Test
  void badGzipBodiesAndBadPercentEncodingAreJson400s() throws Exception {
    byte[] plain = "{\"instances\": [1.0]}".getBytes(StandardCharsets.US_ASCII);
    byte[] corrupt = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6, 7, 8};
    for (byte[] body : new byte[][] {plain, corrupt}) {
      String head = "POST " + PREDICT + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          + "Content-Encoding: gzip\r\nContent-Length: " + body.length + "\r\n\r\n";
      try (RawHttp c = RawHttp.connect(server.server().restPort(), 10_000)) {
        c.send(concat(head.getBytes(StandardCharsets.US_ASCII), body));
        RawHttp.Response r = c.read();
        assertEquals(400, r.status(), r.body());
        assertTrue(TestServer.JSON.readTree(r.body()).get("error").asText()
            .startsWith("Failed to decompress request body"), r.body());
      }
    }
    try (RawHttp c = RawHttp.connect(server.server().restPort(), 10_000)) {
      c.send(RawHttp.get("/v1/models/%"));
      RawHttp.Response r = c.read();
      assertEquals(400, r.status(), r.body());
      assertTrue(TestServer.JSON.readTree(r.body()).has("error"), r.body());
      c.send(RawHttp.get("/v1/models/half"));  // the connection stays usable
      assertEquals(200, c.read().status());
    }
    assertBudgetReturned();
  }

  @Test
  void aConnectionClosedMidBodyReturnsItsReservation() throws Exception {
    try (RawHttp c = RawHttp.connect(server.server().restPort(), 5_000)) {
      byte[] whole = RawHttp.post(PREDICT, instances(400_000));
      c.send(java.util.Arrays.copyOf(whole, whole.length / 2));
      Thread.sleep(300);
      assertTrue(MemoryBudget.process().used() > 0, "the partial body is charged");
    }
    assertBudgetReturned();
  }

  static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] all = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, all, at, p.length);
      at += p.length;
    }
    return all;
  }
}
