package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.admission.MemoryBudget;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The REST limits from {@code io.tessera.admission.Limits}, each against a server started with
 * small flag values: idle, request-read and write timeouts close the connection (the read timeout
 * with a JSON 408), the connection cap answers a JSON 503 and closes, and a body over
 * {@code --max_inflight_request_bytes} gets a JSON 429. Each test starts (and closes) its own
 * server; the process memory budget a server installs is put back afterwards.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RestLimitsIT {
  private static final String MODEL = "testdata/saved_model_half_plus_two_cpu";

  @AfterAll
  static void noLeaks() throws Exception {
    TestServer.assertNoLeaks();
  }

  private static TestServer start(String... flags) throws Exception {
    return TestServer.start("half", TestServer.shared(MODEL), flags);
  }

  @Test
  void idleConnectionsAreClosed() throws Exception {
    MemoryBudget saved = MemoryBudget.process();
    try (TestServer s = start("--rest_api_idle_timeout_seconds=1")) {
      try (RawHttp silent = RawHttp.connect(s.server().restPort(), 5_000)) {
        long started = System.nanoTime();
        assertEquals(0, silent.readUntilClosed(), "closed without a byte");
        assertTrue(System.nanoTime() - started < TimeUnit.MILLISECONDS.toNanos(3000));
      }
      try (RawHttp used = RawHttp.connect(s.server().restPort(), 5_000)) {
        assertEquals(200, used.send(RawHttp.post(RestHardeningIT.PREDICT, "{\"instances\": [1.0]}")).read().status());
        assertEquals(0, used.readUntilClosed(), "closed after its answer, once idle");
      }
    } finally {
      MemoryBudget.install(saved);
    }
  }

  @Test
  void aRequestThatDoesNotArriveInTimeGetsA408() throws Exception {
    MemoryBudget saved = MemoryBudget.process();
    try (TestServer s = start("--rest_api_request_read_timeout_seconds=1")) {
      // Headers that never end, then a body that never ends.
      for (String partial : List.of("POST " + RestHardeningIT.PREDICT + " HTTP/1.1\r\nHost: x\r\n",
          "POST " + RestHardeningIT.PREDICT + " HTTP/1.1\r\nContent-Length: 100\r\n\r\n{\"instances\"")) {
        try (RawHttp slow = RawHttp.connect(s.server().restPort(), 5_000)) {
          long started = System.nanoTime();
          RawHttp.Response r = slow.send(partial.getBytes(StandardCharsets.US_ASCII)).read();
          assertEquals(408, r.status(), r.body());
          assertTrue(TestServer.JSON.readTree(r.body()).get("error").asText()
              .contains("--rest_api_request_read_timeout_seconds"), r.body());
          assertEquals(0, slow.readUntilClosed());
          long took = System.nanoTime() - started;
          assertTrue(took > TimeUnit.MILLISECONDS.toNanos(900) && took < TimeUnit.SECONDS.toNanos(4), took + " ns");
        }
      }
      RestHardeningIT.assertBudgetReturned();
    } finally {
      MemoryBudget.install(saved);
    }
  }

  @Test
  void aResponseTheClientDoesNotReadClosesTheConnection() throws Exception {
    MemoryBudget saved = MemoryBudget.process();
    try (TestServer s = start("--rest_api_write_timeout_seconds=1")) {
      int values = 2_000_000;  // an ≈ 8 MB request and an ≈ 8 MB answer, far beyond socket buffers
      try (RawHttp c = RawHttp.connect(s.server().restPort(), 10_000, 4096)) {
        c.send(RawHttp.post(RestHardeningIT.PREDICT, RestHardeningIT.instances(values)));
        Thread.sleep(4000);  // not reading: the server must give up on the write
        long read = c.readUntilClosed();
        assertTrue(read >= 0, "the server did not close the connection");
        System.out.println("RestLimitsIT: the unread answer was cut after " + read + " bytes");
        // The whole answer is at least 5 bytes a value ("2.5, ").
        assertTrue(read < 5L * values, "only part of the answer arrived: " + read + " bytes");
      }
      RestHardeningIT.assertBudgetReturned();
    } finally {
      MemoryBudget.install(saved);
    }
  }

  @Test
  void connectionsBeyondTheCapGetA503AndAreClosed() throws Exception {
    MemoryBudget saved = MemoryBudget.process();
    List<RawHttp> open = new ArrayList<>();
    try (TestServer s = start("--rest_api_max_connections=3")) {
      int port = s.server().restPort();
      for (int i = 0; i < 3; i++) {
        open.add(RawHttp.connect(port, 5_000));
        assertEquals(200, open.get(i).send(RawHttp.get("/v1/models/half")).read().status());
      }
      try (RawHttp refused = RawHttp.connect(port, 5_000)) {
        RawHttp.Response r = refused.send(RawHttp.get("/v1/models/half")).read();
        assertEquals(503, r.status(), r.body());
        assertTrue(TestServer.JSON.readTree(r.body()).get("error").asText()
            .contains("--rest_api_max_connections"), r.body());
        assertTrue(r.headers().toLowerCase().contains("connection: close"), r.headers());
        assertEquals(0, refused.readUntilClosed());
      }
      open.remove(0).close();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      int status = 0;
      while (status != 200 && System.nanoTime() < deadline) {  // the freed slot is reusable
        try (RawHttp again = RawHttp.connect(port, 5_000)) {
          status = again.send(RawHttp.get("/v1/models/half")).read().status();
        }
      }
      assertEquals(200, status);
    } finally {
      for (RawHttp c : open) {
        c.close();
      }
      MemoryBudget.install(saved);
    }
  }

  @Test
  void aBodyOverTheMemoryBudgetGetsA429() throws Exception {
    MemoryBudget saved = MemoryBudget.process();
    try (TestServer s = start("--max_inflight_request_bytes=1048576")) {
      try (RawHttp c = RawHttp.connect(s.server().restPort(), 10_000)) {
        RawHttp.Response r = c.send(RawHttp.post(RestHardeningIT.PREDICT, RestHardeningIT.instances(800_000)))
            .read();  // ≈ 4 MB: the server drains what it refused, so the send completes
        assertEquals(429, r.status(), r.body());
        assertTrue(TestServer.JSON.readTree(r.body()).get("error").asText()
            .contains("--max_inflight_request_bytes"), r.body());
        assertEquals(0, c.readUntilClosed());
      }
      assertEquals(200, s.post(RestHardeningIT.PREDICT, "{\"instances\": [1.0]}").statusCode());
      RestHardeningIT.assertBudgetReturned();
    } finally {
      MemoryBudget.install(saved);
    }
  }
}
