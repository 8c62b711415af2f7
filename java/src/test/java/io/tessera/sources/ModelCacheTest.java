package io.tessera.sources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.sources.StoredVersion.Fetched;
import io.tessera.sources.VersionFiles.RemoteFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The download cache, fed by an in-memory "store" (the S3 side is S3ModelsIT's). */
class ModelCacheTest {
  private final Map<String, String> store = new java.util.HashMap<>();
  private final List<String> downloaded = new ArrayList<>();

  private long download(RemoteFile file, Path target) throws IOException {
    String content = store.get(file.key());
    if (content == null) {
      throw new IOException(file.key() + " vanished");
    }
    downloaded.add(file.path());
    Files.writeString(target, content);
    return content.length();
  }

  private RemoteFile file(String key, String path) {
    return new RemoteFile(key, path, store.get(key).length(), "etag-" + store.get(key).hashCode());
  }

  @Test
  void aVersionAppearsWholeIsReusedAndLeavesWithItsLastHold(@TempDir Path root) throws Exception {
    store.put("m/1/saved_model.pb", "graph");
    store.put("m/1/variables/variables.index", "index");
    store.put("m/labels.txt", "cat\ndog\n");
    List<RemoteFile> files = List.of(file("m/1/saved_model.pb", "saved_model.pb"),
        file("m/1/variables/variables.index", "variables/variables.index"));
    List<RemoteFile> base = List.of(file("m/labels.txt", "labels.txt"));
    ModelCache cache = new ModelCache(root);
    Fetched first = cache.install(1, "s3://b/m/1", files, base, this::download);
    assertEquals(root.resolve("1"), first.dir());
    assertEquals("index", Files.readString(first.dir().resolve("variables/variables.index")));
    assertEquals("cat\ndog\n", Files.readString(root.resolve("labels.txt")), "base files beside the versions");
    assertEquals(3, first.files());
    assertEquals(18, first.bytes());

    Fetched again = cache.install(1, "s3://b/m/1", files, base, this::download);
    assertFalse(again.downloaded(), "the same listing is served from the cache");
    assertEquals(3, downloaded.size());
    first.close();
    first.close();  // idempotent: one hold is one release
    assertTrue(Files.isDirectory(root.resolve("1")), "still held by the second fetch");
    again.close();
    assertFalse(Files.exists(root.resolve("1")), "removed with its last hold");
    assertEquals(List.of(), staging(root));
  }

  @Test
  void aFailedOrUnverifiedDownloadLeavesNoVersionBehind(@TempDir Path root) throws Exception {
    store.put("m/2/saved_model.pb", "graph");
    store.put("m/2/variables/variables.index", "index");
    List<RemoteFile> files = List.of(file("m/2/saved_model.pb", "saved_model.pb"),
        file("m/2/variables/variables.index", "variables/variables.index"));
    ModelCache cache = new ModelCache(root);
    store.remove("m/2/variables/variables.index");
    IOException e = assertThrows(IOException.class, () -> cache.install(2, "s3://b/m/2", files, List.of(), this::download));
    assertEquals("m/2/variables/variables.index vanished", e.getMessage());
    assertFalse(Files.exists(root.resolve("2")), "no partial version in place");
    assertEquals(List.of(), staging(root), "staging cleaned up");

    store.put("m/2/variables/variables.index", "index");
    try (Fetched retried = cache.install(2, "s3://b/m/2", files, List.of(), this::download)) {
      assertTrue(Files.isRegularFile(retried.dir().resolve("saved_model.pb")));
    }
  }

  @Test
  void leftoversOfAnEarlierProcessAreCleanedAndChangedBaseFilesReplaced(@TempDir Path root) throws Exception {
    Files.createDirectories(root.resolve(".staging-3-1/variables"));
    store.put("m/tessera_image.json", "{}");
    store.put("m/labels.txt", "a\n");
    ModelCache cache = new ModelCache(root);
    assertEquals(List.of(), staging(root));
    store.put("m/3/saved_model.pb", "g");
    List<RemoteFile> files = List.of(file("m/3/saved_model.pb", "saved_model.pb"));
    cache.install(3, "s3://b/m/3", files, List.of(file("m/tessera_image.json", "tessera_image.json"),
        file("m/labels.txt", "labels.txt")), this::download).close();
    store.put("m/labels.txt", "b\n");
    try (Fetched f = cache.install(3, "s3://b/m/3", files, List.of(file("m/labels.txt", "labels.txt")), this::download)) {
      assertEquals("b\n", Files.readString(root.resolve("labels.txt")));
      assertFalse(Files.exists(root.resolve("tessera_image.json")), "gone from the store, gone here");
    }
  }

  private static List<Path> staging(Path root) throws IOException {
    try (Stream<Path> children = Files.list(root)) {
      return children.filter(p -> p.getFileName().toString().startsWith(".staging")).toList();
    }
  }
}
