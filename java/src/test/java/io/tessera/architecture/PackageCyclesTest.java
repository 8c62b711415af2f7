package io.tessera.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our packages form layers: no cycles (house style). Fails, naming the packages, when one appears. */
class PackageCyclesTest {
  private static final Path MAIN_SOURCES = Path.of("src/main/java");

  @Test
  void mainSourcesHaveNoPackageCycle() {
    PackageGraph graph = PackageGraph.read(MAIN_SOURCES);
    assertTrue(graph.packages().size() > 10, "read the sources: " + graph.packages());
    List<Set<String>> cycles = graph.cycles();
    assertTrue(cycles.isEmpty(), "package cycles: " + cycles);
  }

  @Test
  void theCheckFindsACycleAndIgnoresGeneratedProtos(@TempDir Path dir) throws Exception {
    write(dir, "a/A.java", "package io.tessera.a;\nimport io.tessera.b.B;\nclass A {}");
    write(dir, "b/B.java", "package io.tessera.b;\nclass B { io.tessera.a.A a; io.tessera.proto.tf.TensorProto p; }");
    write(dir, "c/C.java", "package io.tessera.c;\nimport io.tessera.a.A;\n/** see io.tessera.d.D */ class C {} // io.tessera.e.E");
    PackageGraph graph = PackageGraph.read(dir);
    assertEquals(List.of(Set.of("io.tessera.a", "io.tessera.b")), graph.cycles());
    assertEquals(Set.of("io.tessera.a"), graph.dependencies("io.tessera.b"));
    assertEquals(Set.of("io.tessera.a"), graph.dependencies("io.tessera.c"), "comments are not dependencies");
  }

  private static void write(Path dir, String file, String text) throws Exception {
    Path path = dir.resolve(file);
    Files.createDirectories(path.getParent());
    Files.writeString(path, text);
  }
}
