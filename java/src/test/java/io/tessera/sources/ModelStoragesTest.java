package io.tessera.sources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelStoragesTest {
  @Test
  void theSchemePicksTheStorage() throws Exception {
    try (ModelStorages storages = new ModelStorages(S3Settings.fromEnvironment(Map.of(), Path.of("/cache")))) {
      assertInstanceOf(LocalStorage.class, storages.open("/models/m"));
      assertEquals("/models/m", storages.open("file:///models/m").basePath());
      assertEquals("s3://bucket/a/b", storages.open("s3://bucket/a/b/").basePath(), "no S3 call is made to open");
    }
    assertEquals("s3", ModelStorages.scheme("S3://b/m"));
    assertEquals("", ModelStorages.scheme("/models/m"));
  }

  @Test
  void unservedSchemesAndMalformedUrisAreInvalidArguments() {
    ModelStorages storages = new ModelStorages(S3Settings.fromEnvironment(Map.of(), Path.of("/cache")));
    ServingException gs = assertThrows(ServingException.class, () -> storages.check("gs://bucket/m"));
    assertEquals(StatusCode.INVALID_ARGUMENT, gs.code());
    assertEquals("File system scheme 'gs' not implemented (file: 'gs://bucket/m'); base paths are local paths "
        + "or s3://bucket/prefix", gs.getMessage());
    assertTrue(assertThrows(ServingException.class, () -> storages.check("s3:///m")).getMessage()
        .contains("does not name a bucket"));
    assertTrue(assertThrows(ServingException.class, () -> storages.check("s3://b/a/../c")).getMessage()
        .contains("'..' path segment"));
    assertTrue(assertThrows(ServingException.class, () -> ModelStorages.LOCAL_ONLY.check("s3://b/m")).getMessage()
        .contains("not enabled"));
  }

  @Test
  void aVersionCachesUnderItsBucketAndPrefix() {
    assertEquals(Path.of("/c/s3/bucket/team/m"), S3Storage.Location.parse("s3://bucket/team/m").cacheRoot(Path.of("/c")));
    assertEquals(Path.of("/c/s3/bucket"), S3Storage.Location.parse("s3://bucket").cacheRoot(Path.of("/c")));
  }
}
