package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A Kubernetes rollout as the pod sees it: SIGTERM with --shutdown_delay_seconds turns readiness
 * to 503 first while requests (on new and old connections) are still answered; then the listeners
 * close, a request already in flight is answered, and the process exits 0.
 */
class ShutdownDelayIT {
  private static final String PREDICT = "{\"instances\": [1.0, 2.0, 5.0]}";

  @Test
  void sigtermTurnsReadinessOffFirstAnswersInFlightRequestsAndExitsZero() throws Exception {
    try (ServerProcess server = ServerProcess.start("", "/readyz", "--model_name=half",
        "--model_base_path=" + TestServer.shared("testdata/saved_model_half_plus_two_cpu"),
        "--shutdown_delay_seconds=4");
        RawHttp held = RawHttp.connect(server.restPort(), 30_000)) {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      assertEquals(200, held.send(RawHttp.post("/v1/models/half:predict", PREDICT)).read().status());

      server.process().destroy();  // SIGTERM
      OperationsIT.waitFor(() -> get(http, server, "/readyz").statusCode() == 503);
      assertTrue(server.process().isAlive(), "still running during the delay");
      assertTrue(server.output().contains("Readiness is now 503; serving for 4 s more"), server.output());
      // Still serving during the delay: a new connection and the held one.
      HttpResponse<String> fresh = http.send(HttpRequest.newBuilder(URI.create(server.restBase()
          + "/v1/models/half:predict")).POST(HttpRequest.BodyPublishers.ofString(PREDICT)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, fresh.statusCode(), fresh.body());
      assertEquals(200, held.send(RawHttp.post("/v1/models/half:predict", PREDICT)).read().status());

      // A request whose head arrived before the listeners close and whose body arrives after.
      byte[] request = RawHttp.post("/v1/models/half:predict", PREDICT);
      int split = request.length - 5;
      held.send(Arrays.copyOfRange(request, 0, split));
      OperationsIT.waitFor(() -> server.output().contains("Shutdown delay over"));
      held.send(Arrays.copyOfRange(request, split, request.length));
      RawHttp.Response answered = held.read();
      assertEquals(200, answered.status(), answered.body());
      assertTrue(answered.body().replaceAll("\\s", "").contains("[2.5,3.0,4.5]"), answered.body());
      assertTrue(answered.headers().toLowerCase().contains("connection: close"), answered.headers());

      assertTrue(server.process().waitFor(30, TimeUnit.SECONDS), "did not exit: " + server.output());
      assertEquals(0, server.process().exitValue(), server.output());
      assertTrue(server.output().contains("Shutdown complete"), server.output());
    }
  }

  private static HttpResponse<String> get(HttpClient http, ServerProcess server, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(server.restBase() + path)).build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }
}
