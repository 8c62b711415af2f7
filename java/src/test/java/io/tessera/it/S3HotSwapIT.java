package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tensorflow.serving.Model.ModelSpec;
import tensorflow.serving.Predict.PredictRequest;
import tensorflow.serving.Predict.PredictResponse;
import tensorflow.serving.PredictionServiceGrpc;

/**
 * Hot swap from S3 under load: 4 clients (2 REST, 2 gRPC) send half_plus_two requests without
 * pause for 25 s while versions are uploaded to and deleted from a real S3 API server (s3proxy):
 * add 2, add 3, remove 3. Every transition must complete (the newest version in the bucket, and
 * only it, AVAILABLE) and not one request may fail.
 */
class S3HotSwapIT {
  private static final Duration LOAD = Duration.ofSeconds(25);

  @Test
  void threeTransitionsUnderLoadWithoutAFailedRequest(@TempDir Path s3Data, @TempDir Path cache) throws Exception {
    S3ModelsIT.useCredentials(S3Fixture.ACCESS_KEY, S3Fixture.SECRET_KEY);
    try (S3Fixture s3 = new S3Fixture(s3Data)) {
      s3.createBucket("models");
      s3.uploadTree(S3ModelsIT.HPT_WARMUP, "models", "hpt/1");
      try (TestServer server = TestServer.startPolling(Duration.ofMillis(200), s3.settings(cache),
          "--model_name=hpt", "--model_base_path=s3://models/hpt")) {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong ok = new AtomicLong();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          boolean grpc = i % 2 == 1;
          Thread client = new Thread(() -> {
            while (!stop.get()) {
              try {
                String error = grpc ? grpcPredict(server) : restPredict(server);
                if (error == null) {
                  ok.incrementAndGet();
                } else {
                  failures.add(error);
                }
              } catch (Exception e) {
                failures.add(e.toString());
              }
            }
          }, "s3-client-" + i);
          client.start();
          clients.add(client);
        }
        long started = System.nanoTime();
        List<String> transitions = new ArrayList<>();
        try {
          long[] expected = {2, 3, 2};
          for (int t = 0; t < expected.length; t++) {
            sleepUntil(started, LOAD.multipliedBy(t + 1).dividedBy(5));
            if (t < 2) {
              s3.uploadTree(S3ModelsIT.HPT_WARMUP, "models", "hpt/" + expected[t]);
            } else {
              s3.deletePrefix("models", "hpt/3");
            }
            long at = System.nanoTime();
            ModelDirs.await(server, "hpt", 60, ModelDirs.availableExactly(expected[t]));
            transitions.add("→" + expected[t] + " in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - at) + " ms");
          }
          sleepUntil(started, LOAD);
        } finally {
          stop.set(true);
          for (Thread c : clients) {
            c.join();
          }
        }
        assertEquals(List.of(), List.copyOf(failures), "failed requests during hot swaps from S3");
        assertTrue(ok.get() > 100, "too few requests were sent: " + ok.get());
        System.out.println("S3HotSwapIT: " + ok.get() + " requests in " + LOAD.toSeconds() + " s, 0 failed, "
            + "transitions " + transitions);
      }
    }
    TestServer.assertNoLeaks();
  }

  private static void sleepUntil(long startedNanos, Duration offset) throws InterruptedException {
    long left = startedNanos + offset.toNanos() - System.nanoTime();
    if (left > 0) {
      TimeUnit.NANOSECONDS.sleep(left);
    }
  }

  private static String restPredict(TestServer server) throws Exception {
    var r = server.post("/v1/models/hpt:predict", "{\"instances\": [1.0, 2.0]}");
    if (r.statusCode() != 200 || !TestServer.json(r).equals(TestServer.JSON.readTree("{\"predictions\": [2.5, 3.0]}"))) {
      return "REST " + r.statusCode() + " " + r.body();
    }
    return null;
  }

  private static String grpcPredict(TestServer server) {
    PredictResponse r = PredictionServiceGrpc.newBlockingStub(server.channel()).predict(PredictRequest.newBuilder()
        .setModelSpec(ModelSpec.newBuilder().setName("hpt")).putInputs("x", HalfPlusTwoIT.floats(4.0f)).build());
    float y = r.getOutputsOrThrow("y").getFloatVal(0);
    return y == 4.0f ? null : "gRPC returned " + y;
  }
}
