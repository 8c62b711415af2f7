package io.tessera.sources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.sources.VersionFiles.RemoteFile;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class VersionFilesTest {
  private static List<RemoteFile> files(String... paths) {
    return Arrays.stream(paths).map(p -> new RemoteFile("m/1/" + p, p, 1, "e")).toList();
  }

  @Test
  void aVersionIsCompleteWithItsGraphAndEveryAnnouncedShard() {
    assertEquals(Optional.of("saved_model.pb"), VersionFiles.missing(files("variables/variables.index")));
    assertEquals(Optional.empty(), VersionFiles.missing(files("saved_model.pb")), "a graph without variables");
    assertEquals(Optional.empty(), VersionFiles.missing(files("saved_model.pbtxt", "assets/vocab.txt")));
    assertEquals(Optional.of("variables/variables.data-00000-of-NNNNN"),
        VersionFiles.missing(files("saved_model.pb", "variables/variables.index")), "index uploaded, no shard yet");
    assertEquals(Optional.of("variables/variables.index"),
        VersionFiles.missing(files("saved_model.pb", "variables/variables.data-00000-of-00001")));
    assertEquals(Optional.of("variables/variables.data-00001-of-00003"), VersionFiles.missing(files("saved_model.pb",
        "variables/variables.index", "variables/variables.data-00000-of-00003", "variables/variables.data-00002-of-00003")));
    assertEquals(Optional.empty(), VersionFiles.missing(files("saved_model.pb", "variables/variables.index",
        "variables/variables.data-00000-of-00002", "variables/variables.data-00001-of-00002")));
  }

  @Test
  void onlyPlainRelativePathsAreRecreatedLocally() {
    assertTrue(VersionFiles.isSafePath("variables/variables.index"));
    for (String bad : List.of("", "/etc/passwd", "../x", "a/../../x", "a//b", "./a", "a\\b", "a/", "a\u0000b")) {
      assertFalse(VersionFiles.isSafePath(bad), bad);
    }
  }
}
