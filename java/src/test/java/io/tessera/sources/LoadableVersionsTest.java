package io.tessera.sources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.proto.serving.config.FileSystemStoragePathSourceConfig.ServableVersionPolicy;
import io.tessera.sources.FileSystemStoragePathSource.WatchedServable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoadableVersionsTest {
  private static String problem(Path base, ServableVersionPolicy policy) {
    return LoadableVersions.problem(new WatchedServable("m", base, policy)).orElse("ok");
  }

  private static String problem(Path base) {
    return problem(base, ServableVersionPolicy.getDefaultInstance());
  }

  private static Path version(Path base, String name, boolean savedModel) throws Exception {
    Path dir = Files.createDirectories(base.resolve(name));
    Files.writeString(dir.resolve(savedModel ? "saved_model.pb" : "notes.txt"), "x");
    return dir;
  }

  @Test
  void missingFileOrEmptyBasePathsAreNamed(@TempDir Path dir) throws Exception {
    assertEquals("model m: base path " + dir.resolve("nope") + " does not exist", problem(dir.resolve("nope")));
    assertTrue(problem(Files.writeString(dir.resolve("file"), "")).endsWith("is not a directory"));
    assertTrue(problem(dir).contains("has no numeric version directory"), problem(dir));
    version(dir, "not-a-number", true);
    assertTrue(problem(dir).contains("has no numeric version directory"), problem(dir));
  }

  @Test
  void theChosenVersionMustHoldASavedModel(@TempDir Path dir) throws Exception {
    version(dir, "1", true);
    assertEquals("ok", problem(dir));
    version(dir, "2", false);
    assertTrue(problem(dir).contains("version directory " + dir.resolve("2") + " holds no saved_model.pb"), problem(dir));
    Files.writeString(dir.resolve("2/saved_model.pbtxt"), "x");
    assertEquals("ok", problem(dir));
  }

  @Test
  void specificVersionsMustAllExist(@TempDir Path dir) throws Exception {
    version(dir, "1", true);
    ServableVersionPolicy oneAndThree = ServableVersionPolicy.newBuilder()
        .setSpecific(ServableVersionPolicy.Specific.newBuilder().addVersions(1).addVersions(3)).build();
    assertTrue(problem(dir, oneAndThree).contains("lacks the versions [3]"), problem(dir, oneAndThree));
    version(dir, "3", true);
    assertEquals("ok", problem(dir, oneAndThree));
  }

  @Test
  void aBasePathThatIsItselfASavedModelIsLoadable(@TempDir Path dir) throws Exception {
    assertEquals(Optional.empty(), LoadableVersions.problem(new WatchedServable("m", version(dir, "model", true))));
  }
}
