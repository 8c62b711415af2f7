package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        LoadClients clients = new LoadClients(4,
            i -> i % 2 == 1 ? () -> HotSwapIT.grpcPredict(server) : () -> HotSwapIT.restPredict(server));
        long started = System.nanoTime();
        List<String> transitions = new ArrayList<>();
        try {
          long[] expected = {2, 3, 2};
          for (int t = 0; t < expected.length; t++) {
            sleepUntil(started, LOAD.multipliedBy(t + 1).dividedBy(5));
            long at = System.nanoTime();
            if (t < 2) {
              s3.uploadTree(S3ModelsIT.HPT_WARMUP, "models", "hpt/" + expected[t]);
            } else {
              s3.deletePrefix("models", "hpt/3");
            }
            long stored = System.nanoTime();
            ModelDirs.await(server, "hpt", 60, ModelDirs.availableExactly(expected[t]));
            transitions.add("→" + expected[t] + ": " + (t < 2 ? "upload " : "delete ") + millis(at, stored)
                + " ms, then served after " + millis(stored, System.nanoTime()) + " ms");
          }
          sleepUntil(started, LOAD);
        } finally {
          clients.close();
        }
        assertEquals(List.of(), clients.failures(), "failed requests during hot swaps from S3");
        assertTrue(clients.ok() > 100, "too few requests were sent: " + clients.ok());
        System.out.println("S3HotSwapIT: " + clients.ok() + " requests in " + LOAD.toSeconds() + " s, 0 failed, "
            + "transitions " + transitions);
      }
    }
    TestServer.assertNoLeaks();
  }

  private static long millis(long fromNanos, long toNanos) {
    return TimeUnit.NANOSECONDS.toMillis(toNanos - fromNanos);
  }

  private static void sleepUntil(long startedNanos, Duration offset) throws InterruptedException {
    long left = startedNanos + offset.toNanos() - System.nanoTime();
    if (left > 0) {
      TimeUnit.NANOSECONDS.sleep(left);
    }
  }
}
