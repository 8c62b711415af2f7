package io.tessera.sources;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tessera.sources.FileSystemStoragePathSource.WatchedServable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSystemStoragePathSourceTest {
  /** Every setAspiredVersions call, as "name=[versions]". */
  private final List<String> emitted = new ArrayList<>();

  private FileSystemStoragePathSource source(WatchedServable... servables) {
    return new FileSystemStoragePathSource(List.of(servables), Duration.ZERO,
        (name, versions) -> emitted.add(name + "=" + new java.util.TreeMap<>(versions).keySet()));
  }

  @Test
  void ignoresNonNumericAndEmptyDirectoriesAndWarnsOncePerChange(@TempDir Path base) throws Exception {
    List<String> warnings = new CopyOnWriteArrayList<>();
    Handler handler = new Handler() {
      @Override
      public void publish(LogRecord r) {
        if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
          warnings.add(r.getMessage());
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    Logger logger = Logger.getLogger(FileSystemStoragePathSource.class.getName());
    logger.addHandler(handler);
    try {
      Files.createDirectories(base.resolve("v2/x"));
      Files.createDirectories(base.resolve("7"));  // empty: a copy that has not started
      Files.writeString(base.resolve("9"), "a file, not a directory");
      FileSystemStoragePathSource source = source(new WatchedServable("m", base));
      for (int i = 0; i < 5; i++) {
        source.pollOnce();
      }
      assertEquals(List.of("m=[]"), emitted);
      assertEquals(1, warnings.size(), warnings.toString());
      Files.writeString(base.resolve("7/saved_model.pb"), "");
      source.pollOnce();
      source.pollOnce();
      assertEquals(List.of("m=[]", "m=[7]"), emitted);
      assertEquals(1, warnings.size(), warnings.toString());
    } finally {
      logger.removeHandler(handler);
    }
  }

  @Test
  void updateServablesUnaspiresRemovedModelsAndAppliesNewPolicies(@TempDir Path dir) throws Exception {
    for (String v : List.of("a/1", "a/2", "b/5")) {
      Files.createDirectories(dir.resolve(v));
      Files.writeString(dir.resolve(v).resolve("saved_model.pb"), "");
    }
    FileSystemStoragePathSource source = source(new WatchedServable("a", dir.resolve("a")));
    source.start();
    var all = io.tessera.config.ModelConfigs.entries(io.tessera.config.ModelConfigs.parseText(
        "model_config_list { config { name: 'a' base_path: '/x' model_platform: 'tensorflow' "
            + "model_version_policy { all {} } } }")).get(0).policy();
    source.updateServables(List.of(new WatchedServable("a", dir.resolve("a"), all),
        new WatchedServable("b", dir.resolve("b"))));
    source.updateServables(List.of(new WatchedServable("b", dir.resolve("b"))));
    assertEquals(List.of("a=[2]", "a=[1, 2]", "b=[5]", "a=[]"), emitted);
    source.close();
  }
}
