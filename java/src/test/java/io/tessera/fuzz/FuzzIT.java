package io.tessera.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.tessera.it.ServerProcess;
import io.tessera.it.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
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
 * The fuzz suite against a real server in its own JVM (-XX:MaxRAM=2g) serving half_plus_two,
 * mobilenet and an image model (mobilenet + tessera_image.json). Properties:
 * tessera.fuzz.seed (default 20261201), tessera.fuzz.cases (default 300), tessera.fuzz.case
 * (replay that one case only), tessera.fuzz.threads (default 2; 1 when replaying),
 * tessera.fuzz.seconds (stop starting cases after this long; 0 = no limit),
 * tessera.fuzz.maxRssMiB (peak-RSS bound, default 2048), tessera.fuzz.strictParse (see FuzzOracle),
 * tessera.fuzz.showLog (print the server's output at the end).
 * Fails when any case fails its oracle, the server dies, its peak RSS exceeds the bound, its log
 * shows an OutOfMemoryError / fatal JVM error / Netty LEAK, or known-good requests fail afterwards.
 */
class FuzzIT {
  private static final int MAX_REPORTED = 40;

  @Test
  void serverSurvivesFuzzedRestAndGrpcRequests(@TempDir Path dir) throws Exception {
    long seed = Long.getLong("tessera.fuzz.seed", 20261201L);
    Integer only = Integer.getInteger("tessera.fuzz.case");
    int cases = Integer.getInteger("tessera.fuzz.cases", 300);
    int threads = only != null ? 1 : Integer.getInteger("tessera.fuzz.threads", 2);
    long seconds = Long.getLong("tessera.fuzz.seconds", 0L);
    long maxRss = Long.getLong("tessera.fuzz.maxRssMiB", 2048L) << 20;
    System.out.println("[fuzz] seed=" + seed + (only != null ? " case=" + only : " cases=" + cases)
        + " threads=" + threads + " (replay one: -Dtessera.fuzz.seed=" + seed + " -Dtessera.fuzz.case=N)");

    Path config = writeConfig(dir);
    try (ServerProcess server = ServerProcess.start("-XX:MaxRAM=2g -Dio.netty.leakDetection.level=advanced",
        "/readyz", "--model_config_file=" + config)) {
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext()
          .maxInboundMessageSize(64 << 20).build();
      try {
        long rssAtStart = server.rssBytes();
        FuzzOracle oracle = new FuzzOracle(server.restPort(), channel);
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger next = new AtomicInteger(only != null ? only : 0);
        int end = only != null ? only + 1 : cases;
        AtomicInteger ran = new AtomicInteger();
        AtomicLong slowestMs = new AtomicLong();
        AtomicInteger slowestCase = new AtomicInteger(-1);
        List<String> rssJumps = Collections.synchronizedList(new ArrayList<>());
        long started = System.nanoTime();
        long stopAt = seconds > 0 ? started + TimeUnit.SECONDS.toNanos(seconds) : Long.MAX_VALUE;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          workers.add(pool.submit(() -> {
            for (int n = next.getAndIncrement(); n < end && System.nanoTime() < stopAt; n = next.getAndIncrement()) {
              if (!server.process().isAlive()) {
                return null;
              }
              FuzzCase c = FuzzCases.generate(seed, n);
              long peakBefore = peak(server);
              long t0 = System.nanoTime();
              String problem;
              try {
                problem = oracle.run(c);
              } catch (RuntimeException e) {
                problem = "client error " + e;
              }
              long ms = (System.nanoTime() - t0) / 1_000_000;
              ran.incrementAndGet();
              if (ms > slowestMs.get()) {
                slowestMs.set(ms);
                slowestCase.set(n);
              }
              long peakAfter = peak(server);
              if (peakAfter - peakBefore > (64L << 20)) {
                rssJumps.add("case " + n + ": peak RSS +" + ((peakAfter - peakBefore) >> 20) + " MiB to "
                    + (peakAfter >> 20) + " MiB: " + c.description());
              }
              if (!server.process().isAlive()) {
                problem = "server process died (exit " + server.process().exitValue() + ")"
                    + (problem == null ? "" : "; " + problem);
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
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;
        long peak = server.process().isAlive() ? peak(server) : -1;
        String summary = "[fuzz] seed=" + seed + ": " + ran.get() + " cases in " + elapsedMs + " ms, "
            + failures.size() + " failed; slowest case " + slowestCase.get() + " (" + slowestMs.get() + " ms); RSS "
            + (rssAtStart >> 20) + " MiB at start, peak " + (peak >> 20) + " MiB (bound " + (maxRss >> 20) + " MiB)";
        System.out.println(summary);
        rssJumps.forEach(j -> System.out.println("[fuzz] " + j));

        List<String> problems = new ArrayList<>();
        if (!server.process().isAlive()) {
          problems.add("server process died; last output:\n" + tail(server.output(), 3000));
        } else {
          if (peak > maxRss) {
            problems.add("peak RSS " + (peak >> 20) + " MiB exceeds " + (maxRss >> 20) + " MiB; largest jumps: " + rssJumps);
          }
          String afterwards = knownGoodProblem(server, channel);
          if (afterwards != null) {
            problems.add("known-good requests fail after the run: " + afterwards);
          }
        }
        String log = server.output();
        if (Boolean.getBoolean("tessera.fuzz.showLog")) {
          System.out.println("[fuzz] server output:\n" + log);
        }
        for (String bad : List.of("OutOfMemoryError", "A fatal error has been detected", "LEAK:", "StackOverflowError")) {
          if (log.contains(bad)) {
            problems.add("server log contains \"" + bad + "\": ..." + around(log, bad));
          }
        }
        List<String> shown = new ArrayList<>(failures.subList(0, Math.min(MAX_REPORTED, failures.size())));
        assertTrue(failures.isEmpty() && problems.isEmpty(), summary + "\n" + String.join("\n", problems)
            + (failures.isEmpty() ? "" : "\nfailed cases (" + failures.size() + ", first " + shown.size() + "):\n  "
            + String.join("\n  ", shown)));
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  private static long peak(ServerProcess server) {
    try {
      return server.peakRssBytes();
    } catch (Exception gone) {
      return -1;
    }
  }

  /** half_plus_two over REST and gRPC, and the image model's status; null when all is well. */
  private static String knownGoodProblem(ServerProcess server, ManagedChannel channel) {
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.restBase()
          + "/v1/models/" + FuzzCases.HALF_PLUS_TWO + ":predict")).timeout(Duration.ofSeconds(30))
          .POST(HttpRequest.BodyPublishers.ofString("{\"instances\": [1.0, 2.0, 5.0]}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
      assertEquals(TestServer.JSON.readTree("{\"predictions\": [2.5, 3.0, 4.5]}"), TestServer.JSON.readTree(r.body()));
      HttpResponse<String> status = http.send(HttpRequest.newBuilder(URI.create(server.restBase()
          + "/v1/models/" + FuzzCases.IMAGE)).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, status.statusCode(), status.body());
      float y = PredictionServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
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

  /** A model config with the three models; the image model's directory is set up in dir. */
  static Path writeConfig(Path dir) throws Exception {
    Path image = Files.createDirectories(dir.resolve("image"));
    Path mobilenet = TestServer.shared("models/mobilenet_v2");
    Files.createSymbolicLink(image.resolve("1"), mobilenet.resolve("1"));
    Files.createSymbolicLink(image.resolve("labels.txt"), mobilenet.resolve("labels.txt"));
    Files.writeString(image.resolve("tessera_image.json"),
        "{\"value\": {\"scale\": 0.00784313725490196, \"offset\": -1}, \"labels_file\": \"labels.txt\"}");
    String entry = "  config { name: \"%s\" base_path: \"%s\" model_platform: \"tensorflow\" }\n";
    Path config = dir.resolve("models.config");
    Files.writeString(config, "model_config_list {\n"
        + entry.formatted(FuzzCases.HALF_PLUS_TWO, TestServer.shared("testdata/saved_model_half_plus_two_cpu"))
        + entry.formatted(FuzzCases.MOBILENET, mobilenet)
        + entry.formatted(FuzzCases.IMAGE, image) + "}\n");
    return config;
  }

  private static String tail(String s, int n) {
    return s.length() <= n ? s : s.substring(s.length() - n);
  }

  private static String around(String log, String what) {
    int at = log.indexOf(what);
    return log.substring(Math.max(0, at - 300), Math.min(log.length(), at + 700));
  }
}
