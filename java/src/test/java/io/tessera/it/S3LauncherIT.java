package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The "done when": {@code bin/tensorflow_model_server --model_name=m
 * --model_base_path=s3://models/m} in its own JVM, configured only as a TF user would, through
 * TF's S3_ENDPOINT / S3_USE_HTTPS and AWS's credential variables, serves from an S3-compatible
 * store; with a wrong secret it does not become ready and says why.
 */
class S3LauncherIT {
  @Test
  void theLauncherServesFromS3WithTfsEnvironmentVariables(@TempDir Path s3Data, @TempDir Path cache) throws Exception {
    try (S3Fixture s3 = new S3Fixture(s3Data)) {
      s3.createBucket("models");
      s3.uploadTree(S3ModelsIT.HPT_WARMUP, "models", "m/1");
      Map<String, String> env = environment(s3, S3Fixture.SECRET_KEY);
      try (ServerProcess server = ServerProcess.start(env, "", "/v1/models/m",
          "--model_name=m", "--model_base_path=s3://models/m", "--model_cache_dir=" + cache)) {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(server.restBase() + "/v1/models/m:predict"))
            .POST(HttpRequest.BodyPublishers.ofString("{\"instances\": [1.0, 2.0, 5.0]}")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(TestServer.JSON.readTree("{\"predictions\": [2.5, 3.0, 4.5]}"), TestServer.JSON.readTree(r.body()));
        assertTrue(Files.isRegularFile(cache.resolve("s3/models/m/1/saved_model.pb")), "downloaded into --model_cache_dir");
        assertTrue(server.output().contains("S3 client: endpoint " + s3.endpoint() + ", path-style"), server.output());
      }
      try (ServerProcess denied = ServerProcess.launch(environment(s3, "wrong-secret"), "",
          "--model_name=m", "--model_base_path=s3://models/m", "--model_cache_dir=" + cache)) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!denied.output().contains("Cannot list base path s3://models/m of servable m")) {
          assertTrue(System.nanoTime() < deadline && denied.process().isAlive(), "no error: " + denied.output());
          Thread.sleep(200);
        }
        String output = denied.output();
        assertTrue(output.contains("(HTTP 403)"), output);
        assertFalse(output.contains("Successfully loaded servable version"), output);
        System.out.println("S3LauncherIT: with a wrong secret: " + output.lines()
            .filter(l -> l.contains("Cannot list base path")).findFirst().orElse(""));
      }
    }
  }

  private static Map<String, String> environment(S3Fixture s3, String secret) {
    Map<String, String> env = new HashMap<>();
    env.put("S3_ENDPOINT", s3.endpoint().getHost() + ":" + s3.endpoint().getPort());
    env.put("S3_USE_HTTPS", "0");
    env.put("AWS_REGION", "us-east-1");
    env.put("AWS_ACCESS_KEY_ID", S3Fixture.ACCESS_KEY);
    env.put("AWS_SECRET_ACCESS_KEY", secret);
    // Nothing from the developer's own AWS set-up may leak in.
    env.put("AWS_CONFIG_FILE", "/nonexistent");
    env.put("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent");
    return env;
  }
}
