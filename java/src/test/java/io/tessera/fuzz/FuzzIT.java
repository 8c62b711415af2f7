package io.tessera.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.it.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tensorflow.serving.Model.ModelSpec;
import tensorflow.serving.Predict.PredictRequest;
import tensorflow.serving.PredictionServiceGrpc;

/**
 * The fuzz suite against a real server in its own JVM ({@link FuzzServer}). Properties:
 * tessera.fuzz.seed (default 20261201), tessera.fuzz.cases (default 400), tessera.fuzz.from
 * (first case number, default 0), tessera.fuzz.case (replay that one case only, printing its wire
 * bytes), tessera.fuzz.threads (default 2; 1 when replaying), tessera.fuzz.seconds (stop starting
 * cases after this long; 0 = no limit), tessera.fuzz.restart (start a fresh server after a crash
 * and go on, default false), tessera.fuzz.maxRssMiB (peak-RSS bound, default 2048),
 * tessera.fuzz.strictParse (see FuzzOracle), tessera.fuzz.showLog (print the server's output).
 * Fails when any case fails its oracle, the server dies, its peak RSS exceeds the bound, its log
 * shows an OutOfMemoryError / fatal JVM error / Netty LEAK, or known-good requests fail afterwards.
 */
class FuzzIT {
  private static final int MAX_REPORTED = 40;

  @Test
  void serverSurvivesFuzzedRestAndGrpcRequests(@TempDir Path dir) throws Exception {
    long seed = Long.getLong("tessera.fuzz.seed", 20261201L);
    Integer only = Integer.getInteger("tessera.fuzz.case");
    int from = only != null ? only : Integer.getInteger("tessera.fuzz.from", 0);
    int end = only != null ? only + 1 : from + Integer.getInteger("tessera.fuzz.cases", 400);
    int threads = only != null ? 1 : Integer.getInteger("tessera.fuzz.threads", 2);
    long seconds = Long.getLong("tessera.fuzz.seconds", 0L);
    boolean restart = Boolean.getBoolean("tessera.fuzz.restart");
    long maxRss = Long.getLong("tessera.fuzz.maxRssMiB", 2048L) << 20;
    System.out.println("[fuzz] seed=" + seed + " cases " + from + ".." + (end - 1) + " threads=" + threads
        + " (replay one: -Dtessera.fuzz.seed=" + seed + " -Dtessera.fuzz.case=N)");

    try (FuzzServer server = new FuzzServer(dir)) {
      long rssAtStart = server.process().rssBytes();
      List<String> failures = Collections.synchronizedList(new ArrayList<>());
      List<String> deaths = Collections.synchronizedList(new ArrayList<>());
      List<String> rssJumps = Collections.synchronizedList(new ArrayList<>());
      Deque<Integer> recent = new ConcurrentLinkedDeque<>();  // when the server dies, the culprit is among these
      AtomicInteger recordedDeath = new AtomicInteger(-1);  // the generation whose death is recorded
      AtomicInteger next = new AtomicInteger(from);
      AtomicInteger ran = new AtomicInteger();
      AtomicLong slowestMs = new AtomicLong();
      AtomicInteger slowestCase = new AtomicInteger(-1);
      long started = System.nanoTime();
      long stopAt = seconds > 0 ? started + TimeUnit.SECONDS.toNanos(seconds) : Long.MAX_VALUE;
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        workers.add(pool.submit(() -> {
          for (int n = next.getAndIncrement(); n < end && System.nanoTime() < stopAt; n = next.getAndIncrement()) {
            synchronized (server) {
              if (!server.alive()) {
                recordDeath(server, recent, deaths, recordedDeath);
                if (!restart) {
                  return null;
                }
                server.restartIfDead();
                recent.clear();
              }
            }
            FuzzCase c = FuzzCases.generate(seed, n);
            recent.addLast(n);
            while (recent.size() > 2 * threads + 2) {
              recent.pollFirst();
            }
            int generation = server.generation();
            long peakBefore = server.peakRss();
            long t0 = System.nanoTime();
            String problem;
            try {
              problem = server.oracle().run(c);
            } catch (RuntimeException e) {
              problem = "client error " + e;
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            ran.incrementAndGet();
            if (ms > slowestMs.get()) {
              slowestMs.set(ms);
              slowestCase.set(n);
            }
            if (problem != null) {
              server.process().process().waitFor(1, TimeUnit.SECONDS);  // a crash takes a moment to show
            }
            if (only != null) {
              System.out.println("[fuzz] " + c + "\n[fuzz] wire: " + c.wirePreview(4000));
            }
            long peakAfter = server.peakRss();
            if (peakBefore > 0 && peakAfter - peakBefore > (64L << 20)) {
              rssJumps.add("case " + n + ": peak RSS +" + ((peakAfter - peakBefore) >> 20) + " MiB to "
                  + (peakAfter >> 20) + " MiB: " + c.description());
            }
            synchronized (server) {
              if (server.generation() != generation || !server.alive()) {
                problem = "server process died" + (problem == null ? "" : "; " + problem);
              }
            }
            if (problem != null) {
              failures.add(c + "\n    -> " + problem + " [" + ms + " ms]\n    " + c.replayHint());
              System.out.println("[fuzz] FAIL " + c + " -> " + problem + " [" + ms + " ms]");
            }
          }
          return null;
        }));
      }
      for (Future<?> w : workers) {
        w.get();
      }
      pool.shutdown();
      synchronized (server) {
        if (!server.alive()) {
          recordDeath(server, recent, deaths, recordedDeath);
        }
      }
      long elapsedMs = (System.nanoTime() - started) / 1_000_000;
      long peak = server.maxPeakRss();
      long rssAtEnd = server.alive() ? server.process().rssBytes() : -1;
      String summary = "[fuzz] seed=" + seed + ": " + ran.get() + " cases in " + elapsedMs + " ms, "
          + failures.size() + " failed, " + deaths.size() + " server deaths; slowest case " + slowestCase.get()
          + " (" + slowestMs.get() + " ms); RSS " + (rssAtStart >> 20) + " MiB at start, " + (rssAtEnd >> 20) + " MiB at end, peak " + (peak >> 20)
          + " MiB (bound " + (maxRss >> 20) + " MiB)";
      System.out.println(summary);
      rssJumps.forEach(j -> System.out.println("[fuzz] " + j));

      List<String> problems = new ArrayList<>(deaths);
      if (!server.alive()) {
        problems.add("last server output:\n" + FuzzServer.tail(server.process().output(), 3000));
      } else {
        String afterwards = knownGoodProblem(server);
        if (afterwards != null) {
          problems.add("known-good requests fail after the run: " + afterwards);
        }
      }
      if (peak > maxRss) {
        problems.add("peak RSS " + (peak >> 20) + " MiB exceeds " + (maxRss >> 20) + " MiB; largest jumps: " + rssJumps);
      }
      String log = server.output();
      if (Boolean.getBoolean("tessera.fuzz.showLog")) {
        System.out.println("[fuzz] server output:\n" + log);
      }
      // "java.lang.OutOfMemoryError", not "OutOfMemoryError": every server's start-up line names
      // the launcher's -XX:+ExitOnOutOfMemoryError flag, which is no error.
      for (String bad : List.of("java.lang.OutOfMemoryError", "A fatal error has been detected", "LEAK:",
          "StackOverflowError")) {
        if (log.contains(bad)) {
          problems.add("server log contains \"" + bad + "\": ..." + around(log, bad));
        }
      }
      List<String> shown = new ArrayList<>(failures.subList(0, Math.min(MAX_REPORTED, failures.size())));
      assertTrue(failures.isEmpty() && problems.isEmpty(), summary + "\n" + String.join("\n", problems)
          + (failures.isEmpty() ? "" : "\nfailed cases (" + failures.size() + ", first " + shown.size() + "):\n  "
          + String.join("\n  ", shown)));
    }
  }

  /** Records the current process's death once, naming the cases started just before it. */
  private static void recordDeath(FuzzServer server, Deque<Integer> recent, List<String> deaths,
      AtomicInteger recordedDeath) {
    if (recordedDeath.getAndSet(server.generation()) == server.generation()) {
      return;
    }
    String death = "server died (exit " + server.process().process().exitValue() + ") after cases " + recent
        + "; the culprit is among them (replay each with -Dtessera.fuzz.case=N)";
    deaths.add(death);
    System.out.println("[fuzz] " + death);
  }

  /** half_plus_two over REST and gRPC, and the image model's status; null when all is well. */
  private static String knownGoodProblem(FuzzServer server) {
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      String base = server.process().restBase();
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/models/"
          + FuzzCases.HALF_PLUS_TWO + ":predict")).timeout(Duration.ofSeconds(30))
          .POST(HttpRequest.BodyPublishers.ofString("{\"instances\": [1.0, 2.0, 5.0]}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
      assertEquals(TestServer.JSON.readTree("{\"predictions\": [2.5, 3.0, 4.5]}"), TestServer.JSON.readTree(r.body()));
      HttpResponse<String> status = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/models/"
          + FuzzCases.IMAGE)).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, status.statusCode(), status.body());
      float y = PredictionServiceGrpc.newBlockingStub(server.channel()).withDeadlineAfter(30, TimeUnit.SECONDS)
          .predict(PredictRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName(FuzzCases.HALF_PLUS_TWO))
              .putInputs("x", org.tensorflow.framework.TensorProto.newBuilder()
                  .setDtype(org.tensorflow.framework.DataType.DT_FLOAT).setTensorShape(Tensors.shape(1))
                  .addFloatVal(1f).build()).build())
          .getOutputsOrThrow("y").getFloatVal(0);
      assertEquals(2.5f, y);
      return null;
    } catch (Throwable e) {
      return e.toString();
    }
  }

  private static String around(String log, String what) {
    int at = log.indexOf(what);
    return log.substring(Math.max(0, at - 300), Math.min(log.length(), at + 700));
  }
}
