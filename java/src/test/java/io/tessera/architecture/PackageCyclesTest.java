package io.tessera.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our packages form layers (house style): no cycles, front ends never import each other or the
 * composition root, the leaves import only the status package. Fails naming the packages.
 */
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
  void frontEndsAndLeavesKeepToTheirLayer() {
    PackageGraph graph = PackageGraph.read(MAIN_SOURCES);
    // The front ends: TF Serving's REST and gRPC, and the Open Inference Protocol's two halves.
    List<String> frontEnds = List.of("io.tessera.http", "io.tessera.grpc", "io.tessera.v2.rest", "io.tessera.v2.grpc");
    for (String frontEnd : frontEnds) {
      Set<String> deps = graph.dependencies(frontEnd);
      assertTrue(deps.stream().noneMatch(d -> frontEnds.contains(d) || d.startsWith("io.tessera.server")),
          frontEnd + " imports another front end or the composition root: " + deps);
    }
    assertTrue(Set.of("io.tessera.serving", "io.tessera.tensor", "io.tessera.admission", "io.tessera.transport",
        "io.tessera.status").containsAll(graph.dependencies("io.tessera.grpc")),
        "gRPC only decodes into the pipeline's calls: " + graph.dependencies("io.tessera.grpc"));
    // v2 holds what its halves share (names, metadata, raw layout); it imports neither half.
    assertTrue(Set.of("io.tessera.serving", "io.tessera.servables", "io.tessera.tensor", "io.tessera.image",
        "io.tessera.core", "io.tessera.status").containsAll(graph.dependencies("io.tessera.v2")),
        "v2 only names and encodes what the pipeline returns: " + graph.dependencies("io.tessera.v2"));
    assertTrue(Set.of("io.tessera.v2", "io.tessera.serving", "io.tessera.tensor", "io.tessera.tensor.json",
        "io.tessera.transport", "io.tessera.status").containsAll(graph.dependencies("io.tessera.v2.rest")),
        "v2 REST only decodes into the pipeline's calls: " + graph.dependencies("io.tessera.v2.rest"));
    assertTrue(Set.of("io.tessera.v2", "io.tessera.serving", "io.tessera.tensor", "io.tessera.status")
        .containsAll(graph.dependencies("io.tessera.v2.grpc")),
        "v2 gRPC only decodes into the pipeline's calls: " + graph.dependencies("io.tessera.v2.grpc"));
    assertEquals(Set.of(), graph.dependencies("io.tessera.status"), "status is the leaf");
    for (String leaf : List.of("io.tessera.core", "io.tessera.nativebridge", "io.tessera.admission", "io.tessera.config")) {
      assertTrue(Set.of("io.tessera.status").containsAll(graph.dependencies(leaf)),
          leaf + " may import only status: " + graph.dependencies(leaf));
    }
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
