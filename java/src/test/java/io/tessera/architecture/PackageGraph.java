package io.tessera.architecture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The dependency graph between our Java packages, read from the sources: a package depends on
 * another when code in one of its files (comments aside) imports, or names by its qualified
 * name, a class of the other.
 * Generated protobuf classes ({@code io.tessera.proto...}) are outside the graph. Immutable.
 */
final class PackageGraph {
  private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+);", Pattern.MULTILINE);
  /** A qualified reference to one of our classes: lower-case segments, then a capitalised one. */
  private static final Pattern REFERENCE = Pattern.compile("\\bio\\.tessera((?:\\.[a-z_][a-z0-9_]*)+)\\.[A-Z]");

  private static final Pattern BLOCK_COMMENT = Pattern.compile("/\\*.*?\\*/", Pattern.DOTALL);

  private final Map<String, Set<String>> edges;

  private PackageGraph(Map<String, Set<String>> edges) {
    this.edges = edges;
  }

  /** Reads every {@code .java} file under {@code root} (a source folder). */
  static PackageGraph read(Path root) {
    Map<String, Set<String>> edges = new TreeMap<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".java"))::iterator) {
        String text = withoutComments(Files.readString(file));
        Matcher pkg = PACKAGE.matcher(text);
        if (!pkg.find()) {
          continue;
        }
        String from = pkg.group(1);
        Set<String> to = edges.computeIfAbsent(from, k -> new TreeSet<>());
        Matcher ref = REFERENCE.matcher(text);
        while (ref.find()) {
          String target = "io.tessera" + ref.group(1);
          if (!target.equals(from) && !target.startsWith("io.tessera.proto")) {
            to.add(target);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new PackageGraph(edges);
  }

  /** Comments name classes without depending on them ({@code //} inside string literals is rare here). */
  private static String withoutComments(String source) {
    return BLOCK_COMMENT.matcher(source).replaceAll(" ").replaceAll("(?m)//.*$", "");
  }

  Set<String> packages() {
    return edges.keySet();
  }

  /** The packages {@code from} depends on directly. */
  Set<String> dependencies(String from) {
    return edges.getOrDefault(from, Set.of());
  }

  /** Strongly connected components with more than one package: each is a cycle (Tarjan). */
  List<Set<String>> cycles() {
    Map<String, Integer> index = new HashMap<>();
    Map<String, Integer> low = new HashMap<>();
    Deque<String> stack = new ArrayDeque<>();
    Set<String> onStack = new TreeSet<>();
    List<Set<String>> result = new ArrayList<>();
    int[] counter = {0};
    for (String v : edges.keySet()) {
      if (!index.containsKey(v)) {
        connect(v, index, low, stack, onStack, result, counter);
      }
    }
    return result;
  }

  private void connect(String v, Map<String, Integer> index, Map<String, Integer> low, Deque<String> stack,
      Set<String> onStack, List<Set<String>> result, int[] counter) {
    index.put(v, counter[0]);
    low.put(v, counter[0]++);
    stack.push(v);
    onStack.add(v);
    for (String w : dependencies(v)) {
      if (!index.containsKey(w)) {
        connect(w, index, low, stack, onStack, result, counter);
        low.put(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.contains(w)) {
        low.put(v, Math.min(low.get(v), index.get(w)));
      }
    }
    if (low.get(v).equals(index.get(v))) {
      Set<String> component = new TreeSet<>();
      String w;
      do {
        w = stack.pop();
        onStack.remove(w);
        component.add(w);
      } while (!w.equals(v));
      if (component.size() > 1) {
        result.add(component);
      }
    }
  }
}
