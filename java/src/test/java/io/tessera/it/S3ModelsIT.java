package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.TextFormat;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tensorflow.serving.ModelManagement.ReloadConfigRequest;
import tensorflow.serving.ModelServerConfigOuterClass.ModelServerConfig;
import tensorflow.serving.ModelServiceGrpc;

/**
 * Models served from s3:// base paths, against a real S3 API server (s3proxy, filesystem backend)
 * on 127.0.0.1: versions are uploaded, appear, are replaced and removed as on a local base path;
 * everything a version reads (warmup, tessera_image.json, labels) comes from its download; a
 * half-uploaded version waits; storage errors are reported clearly and never stop serving.
 * Hot swap under load is {@link S3HotSwapIT}; the launcher with TF's S3 variables is
 * {@link S3LauncherIT}.
 */
class S3ModelsIT {
  static final Path HPT_WARMUP = TestServer.shared("testdata/saved_model_half_plus_two_cpu_warmup/00000123");
  static final Path MOBILENET = TestServer.shared("models/mobilenet_v2");
  private static final String MONITORING = "--monitoring_config_file=" + TestServer.shared("testdata/monitoring_config.txt");

  @TempDir static Path s3Data;
  static S3Fixture s3;

  @BeforeAll
  static void startS3() throws Exception {
    s3 = new S3Fixture(s3Data);
    s3.createBucket("models");
    useCredentials(S3Fixture.ACCESS_KEY, S3Fixture.SECRET_KEY);
  }

  @AfterAll
  static void stopS3() throws Exception {
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
    s3.close();
  }

  /** The AWS SDK's default chain reads these Java system properties first (the in-JVM stand-in for env vars). */
  static void useCredentials(String accessKey, String secretKey) {
    System.setProperty("aws.accessKeyId", accessKey);
    System.setProperty("aws.secretAccessKey", secretKey);
  }

  @Test
  void servesAVersionWithItsWarmupAndFollowsUploadsAndDeletes(@TempDir Path cache) throws Exception {
    s3.uploadTree(HPT_WARMUP, "models", "hpt/1");
    try (LogCapture log = new LogCapture();
        TestServer server = serve("hpt", cache, 200, MONITORING)) {
      assertPredicts(server, "hpt");
      Path v1 = cache.resolve("s3/models/hpt/1");
      assertTrue(Files.isRegularFile(v1.resolve("saved_model.pb")), "downloaded into the cache");
      assertEquals(1, log.count("Finished reading warmup data for model at " + v1), "warmup read from the download: " + log);
      assertEquals(1, log.count("Downloaded s3://models/hpt/1: 5 files, " + bytes(HPT_WARMUP) + " bytes"), log.toString());
      String metrics = server.get("/monitoring/prometheus/metrics").body();
      assertEquals(bytes(HPT_WARMUP), sample(metrics, "tessera_model_download_bytes_total{model=\"hpt\"}"), metrics);
      assertEquals(1, sample(metrics, "tessera_model_download_seconds_count{model=\"hpt\",status=\"OK\"}"), metrics);
      assertEquals(1, sample(metrics, ":tensorflow:cc:saved_model:load_attempt_count{model_path=\"s3://models/hpt/1\",status=\"success\"}"),
          "load metrics name the s3:// version: " + metrics);

      s3.uploadTree(HPT_WARMUP, "models", "hpt/2");  // appears: loaded, then 1 unloaded and removed from the cache
      ModelDirs.await(server, "hpt", 60, ModelDirs.availableExactly(2L));
      assertPredicts(server, "hpt");
      awaitGone(v1);
      s3.deletePrefix("models", "hpt/2");  // removed: 1 (still in the bucket) comes back, 2 leaves the cache
      ModelDirs.await(server, "hpt", 60, ModelDirs.availableExactly(1L));
      awaitGone(cache.resolve("s3/models/hpt/2"));
      assertPredicts(server, "hpt");
    }
    assertFalse(Files.exists(cache.resolve("s3/models/hpt/1")), "unloaded at shutdown: removed");
    TestServer.assertNoLeaks();
  }

  @Test
  void aHalfUploadedVersionIsLoadedOnlyOnceComplete(@TempDir Path cache) throws Exception {
    s3.uploadTree(HPT_WARMUP, "models", "partial/1");
    try (LogCapture log = new LogCapture();
        TestServer server = serve("partial", cache, 100)) {
      ModelDirs.await(server, "partial", 60, ModelDirs.availableExactly(1L));
      s3.uploadSome(HPT_WARMUP, "models", "partial/2",
          List.of("saved_model.pb", "variables/variables.index", "assets/foo.txt"));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
      while (System.nanoTime() < deadline) {  // ~30 polls: version 2 must stay out
        Map<Long, String> states = ModelDirs.states(server, "partial");
        assertEquals(Map.of(1L, "AVAILABLE"), states, "a version with a data shard missing was taken");
        Thread.sleep(50);
      }
      assertEquals(1, log.count("Version 2 of s3://models/partial is not complete yet (missing "
          + "variables/variables.data-00000-of-NNNNN)"), "said once: " + log);
      assertFalse(Files.exists(cache.resolve("s3/models/partial/2")), "nothing of it downloaded");
      s3.uploadSome(HPT_WARMUP, "models", "partial/2",
          List.of("variables/variables.data-00000-of-00001", "assets.extra/tf_serving_warmup_requests"));
      ModelDirs.await(server, "partial", 60, ModelDirs.availableExactly(2L));
      assertPredicts(server, "partial");
    }
    TestServer.assertNoLeaks();
  }

  @Test
  void anImageModelReadsItsImageConfigAndLabelsFromTheDownload(@TempDir Path cache) throws Exception {
    s3.uploadTree(MOBILENET.resolve("1"), "models", "mobilenet/1");
    s3.upload(MOBILENET.resolve("labels.txt"), "models", "mobilenet/labels.txt");
    s3.put("models", "mobilenet/tessera_image.json",
        "{\"value\": {\"scale\": 0.00784313725490196, \"offset\": -1}, \"labels_file\": \"labels.txt\"}");
    try (TestServer server = serve("mobilenet", cache, 500)) {
      String photo = Base64.getEncoder().encodeToString(Files.readAllBytes(TestServer.shared("images/coffee.jpg")));
      var response = server.post("/v1/models/mobilenet:predict",
          "{\"instances\": [{\"image_bytes\": {\"b64\": \"" + photo + "\"}}], \"top_k\": 1}");
      assertEquals(200, response.statusCode(), response.body());
      JsonNode top = TestServer.json(response).get("top_k").get(0).get(0);
      assertEquals(expectedTop1("coffee.jpg"), top.get("label").asText(), response.body());
      assertTrue(Files.isRegularFile(cache.resolve("s3/models/mobilenet/labels.txt")), "base files are cached beside the versions");
    }
    TestServer.assertNoLeaks();
  }

  @Test
  void aReloadNamesAMissingBucketBadCredentialsAndUnknownSchemes(@TempDir Path cache) throws Exception {
    s3.uploadTree(HPT_WARMUP, "models", "reload/1");
    try (TestServer server = serve("reload", cache, 200)) {
      String missingBucket = rejected(server, "s3://no-such-bucket/m");
      assertTrue(missingBucket.contains("s3://no-such-bucket/m") && missingBucket.contains("NoSuchBucket (HTTP 404)"), missingBucket);
      assertTrue(rejected(server, "s3://models/nothing-here").contains("has no numeric version directory"));
      assertTrue(rejected(server, "gs://bucket/m").contains("File system scheme 'gs' not implemented"));
      useCredentials(S3Fixture.ACCESS_KEY, "wrong-secret");
      try {
        String denied = rejected(server, "s3://models/reload-other");
        assertTrue(denied.contains("(HTTP 403)"), denied);
      } finally {
        useCredentials(S3Fixture.ACCESS_KEY, S3Fixture.SECRET_KEY);
      }
      assertPredicts(server, "reload");
    }
    TestServer.assertNoLeaks();
  }

  @Test
  void aStorageOutageKeepsTheServedVersionAndPollingRecovers(@TempDir Path cache) throws Exception {
    s3.uploadTree(HPT_WARMUP, "models", "outage/1");
    try (LogCapture log = new LogCapture();
        TestServer server = serve("outage", cache, 100)) {
      s3.stop();
      try {
        awaitLog(log, "Cannot list base path s3://models/outage of servable outage");
        Thread.sleep(1000);  // more failing polls
        assertPredicts(server, "outage");
        assertEquals(Map.of(1L, "AVAILABLE"), ModelDirs.states(server, "outage"));
        assertEquals(1, log.count("Cannot list base path s3://models/outage"), "logged once, not per poll: " + log);
        assertTrue(log.first("Cannot list base path s3://models/outage").contains("Unable to execute HTTP request"), log.toString());
      } finally {
        s3.start();
      }
      s3.uploadTree(HPT_WARMUP, "models", "outage/2");
      ModelDirs.await(server, "outage", 60, ModelDirs.availableExactly(2L));
      assertPredicts(server, "outage");
    }
    TestServer.assertNoLeaks();
  }

  @Test
  void aFailedDownloadOrLoadIsRetriedWhileTheServedVersionStays(@TempDir Path cache) throws Exception {
    s3.uploadTree(HPT_WARMUP, "models", "retry/1");
    try (LogCapture log = new LogCapture();
        TestServer server = serve("retry", cache, 100, "--max_num_load_retries=100",
            "--load_retry_interval_micros=200000")) {
      s3.put("models", "retry/2/saved_model.pb", "not a SavedModel");  // complete with it: fetched, fails to load
      s3.uploadSome(HPT_WARMUP, "models", "retry/2", List.of("variables/variables.index",
          "variables/variables.data-00000-of-00001", "assets/foo.txt", "assets.extra/tf_serving_warmup_requests"));
      awaitLog(log, "Loading servable {name: retry version: 2} failed");
      s3.stop();  // now the retries' downloads fail
      try {
        awaitLog(log, "Loading servable {name: retry version: 2} failed: Could not fetch s3://models/retry/2: ");
        assertPredicts(server, "retry");
        assertEquals("AVAILABLE", ModelDirs.states(server, "retry").get(1L), "the served version stays");
        assertFalse(Files.exists(cache.resolve("s3/models/retry/2")), "a failed version leaves the cache");
      } finally {
        s3.start();
      }
      s3.upload(HPT_WARMUP.resolve("saved_model.pb"), "models", "retry/2/saved_model.pb");
      ModelDirs.await(server, "retry", 60, ModelDirs.availableExactly(2L));
      assertPredicts(server, "retry");
      System.out.println("S3ModelsIT: a failed download: " + log.first("Loading servable {name: retry version: 2} failed: Could not fetch"));
    }
    TestServer.assertNoLeaks();
  }

  private static void awaitLog(LogCapture log, String fragment) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (log.count(fragment) == 0) {
      assertTrue(System.nanoTime() < deadline, "never logged: " + fragment + " in " + log);
      Thread.sleep(50);
    }
  }

  /** The FAILED_PRECONDITION description of a reload that adds a model at {@code basePath}. */
  private static String rejected(TestServer server, String basePath) throws Exception {
    String config = "model_config_list { config { name: 'reload' base_path: 's3://models/reload' model_platform: 'tensorflow' } "
        + "config { name: 'added' base_path: '" + basePath + "' model_platform: 'tensorflow' } }";
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () ->
        ModelServiceGrpc.newBlockingStub(server.channel()).withDeadlineAfter(60, TimeUnit.SECONDS)
            .handleReloadConfigRequest(ReloadConfigRequest.newBuilder()
                .setConfig(TextFormat.parse(config, ModelServerConfig.class)).build()));
    assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode(), e.getStatus().toString());
    System.out.println("S3ModelsIT: reload with " + basePath + " rejected: " + e.getStatus().getDescription());
    return e.getStatus().getDescription();
  }

  /** A server for {@code model} at s3://models/{model}, polling every {@code pollMillis}. */
  private static TestServer serve(String model, Path cache, long pollMillis, String... flags) throws Exception {
    List<String> all = new java.util.ArrayList<>(List.of("--model_name=" + model, "--model_base_path=s3://models/" + model));
    all.addAll(List.of(flags));
    return TestServer.startPolling(Duration.ofMillis(pollMillis), s3.settings(cache), all.toArray(new String[0]));
  }

  static void assertPredicts(TestServer server, String model) throws Exception {
    var r = server.post("/v1/models/" + model + ":predict", "{\"instances\": [1.0, 2.0, 5.0]}");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(TestServer.JSON.readTree("{\"predictions\": [2.5, 3.0, 4.5]}"), TestServer.json(r));
  }

  static long bytes(Path dir) throws Exception {
    long total = 0;
    for (Path f : S3Fixture.files(dir)) {
      total += Files.size(f);
    }
    return total;
  }

  /** The value of the Prometheus sample written as {@code series} (name and labels). */
  private static double sample(String page, String series) {
    return page.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l -> Double.parseDouble(l.substring(series.length() + 1).strip()))
        .findFirst().orElseThrow(() -> new AssertionError("no sample " + series));
  }

  private static void awaitGone(Path dir) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (Files.exists(dir)) {
      assertTrue(System.nanoTime() < deadline, dir + " was not removed from the cache");
      Thread.sleep(50);
    }
  }

  private static String expectedTop1(String photo) throws Exception {
    for (String line : Files.readAllLines(MOBILENET.resolve("expected_top5.tsv"))) {
      String[] f = line.split("\t");
      if (f[0].equals(photo) && f[1].equals("1")) {
        return f[3];
      }
    }
    throw new AssertionError("no expected label for " + photo);
  }
}
