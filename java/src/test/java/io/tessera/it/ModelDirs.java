package io.tessera.it;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Model base paths that change at run time, written the safe way: a version is copied under a
 * non-numeric name and renamed into place atomically, and removed by renaming it away first, so
 * the server never sees a partial version directory. Plus status polling over REST.
 */
public final class ModelDirs {
  static final Path HALF_PLUS_TWO = TestServer.shared("testdata/saved_model_half_plus_two_cpu/00000123");

  private ModelDirs() {}

  static void addVersion(Path source, Path base, long version) throws IOException {
    Path staging = base.resolve(".staging-" + version + "-" + System.nanoTime());
    copyTree(source, staging);
    Files.move(staging, base.resolve(Long.toString(version)), StandardCopyOption.ATOMIC_MOVE);
  }

  static void removeVersion(Path base, long version) throws IOException {
    Path gone = base.resolve(".removed-" + version + "-" + System.nanoTime());
    Files.move(base.resolve(Long.toString(version)), gone, StandardCopyOption.ATOMIC_MOVE);
    deleteTree(gone);
  }

  public static void copyTree(Path from, Path to) throws IOException {
    try (var paths = Files.walk(from)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }

  static void deleteTree(Path root) throws IOException {
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
        Files.delete(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  /** version → state from REST GET /v1/models/{model}; empty if the model is unknown. */
  static Map<Long, String> states(TestServer server, String model) throws Exception {
    Map<Long, String> states = new TreeMap<>();
    var response = server.get("/v1/models/" + model);
    if (response.statusCode() != 200) {
      return states;
    }
    for (JsonNode v : TestServer.json(response).get("model_version_status")) {
      states.put(Long.parseLong(v.get("version").asText()), v.get("state").asText());
    }
    return states;
  }

  /** Waits (up to {@code seconds}) until the model's states satisfy {@code done}; returns them. */
  static Map<Long, String> await(TestServer server, String model, int seconds,
      Predicate<Map<Long, String>> done) throws Exception {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    Map<Long, String> states = states(server, model);
    while (!done.test(states)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("model " + model + " did not reach the expected states; last: " + states);
      }
      Thread.sleep(20);
      states = states(server, model);
    }
    return states;
  }

  /** True when exactly {@code versions} are AVAILABLE. */
  static Predicate<Map<Long, String>> availableExactly(Long... versions) {
    return states -> {
      var available = new java.util.TreeSet<Long>();
      states.forEach((v, s) -> {
        if (s.equals("AVAILABLE")) {
          available.add(v);
        }
      });
      return available.equals(new java.util.TreeSet<>(java.util.List.of(versions)));
    };
  }
}
