package io.tessera.sources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.status.ServingException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class S3SettingsTest {
  private static final Path CACHE = Path.of("/cache");

  @Test
  void tensorFlowsVariablesNameAnS3CompatibleEndpoint() {
    S3Settings s = S3Settings.fromEnvironment(Map.of("S3_ENDPOINT", "minio:9000", "S3_USE_HTTPS", "0",
        "S3_VERIFY_SSL", "0", "AWS_REGION", "eu-west-1"), CACHE);
    assertEquals(URI.create("http://minio:9000"), s.endpoint());
    assertTrue(s.pathStyle());
    assertFalse(s.verifySsl());
    assertEquals("eu-west-1", s.region());
    assertEquals(URI.create("https://minio:9000"), S3Settings.fromEnvironment(Map.of("S3_ENDPOINT", "minio:9000"), CACHE).endpoint());
    assertEquals(URI.create("http://ceph.local"),
        S3Settings.fromEnvironment(Map.of("S3_ENDPOINT", "http://ceph.local"), CACHE).endpoint(), "a URL keeps its scheme");
  }

  @Test
  void awsDefaultsWithoutTheVariables() {
    S3Settings s = S3Settings.fromEnvironment(Map.of(), CACHE);
    assertNull(s.endpoint());
    assertFalse(s.pathStyle(), "virtual-hosted requests to AWS");
    assertTrue(s.verifySsl());
    assertNull(s.region(), "left to the SDK's region chain");
    assertEquals("us-west-2", S3Settings.fromEnvironment(Map.of("S3_REGION", "us-west-2"), CACHE).region());
    assertEquals(URI.create("https://s3.example"),
        S3Settings.fromEnvironment(Map.of("AWS_ENDPOINT_URL_S3", "https://s3.example"), CACHE).endpoint());
  }

  @Test
  void aMalformedEndpointIsAStartUpError() {
    ServingException e = assertThrows(ServingException.class,
        () -> S3Settings.fromEnvironment(Map.of("S3_ENDPOINT", "http://"), CACHE));
    assertTrue(e.getMessage().startsWith("S3_ENDPOINT=http:// is not an endpoint"), e.getMessage());
  }
}
