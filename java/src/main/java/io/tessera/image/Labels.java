package io.tessera.image;

import io.tessera.status.ServingException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A model's class labels: line i of the labels file (UTF-8) names output index i. Trailing
 * whitespace and a final empty line are ignored; empty lines in between are kept (an unnamed
 * index). Immutable.
 */
public final class Labels {
  private final List<String> names;

  private Labels(List<String> names) {
    this.names = List.copyOf(names);
  }

  public static Labels of(List<String> names) {
    return new Labels(names);
  }

  /** @throws ServingException FAILED_PRECONDITION naming the file if it cannot be read or is empty */
  public static Labels read(Path file) {
    List<String> lines;
    try {
      lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw ServingException.failedPrecondition("cannot read labels file " + file + ": " + e);
    }
    for (int i = 0; i < lines.size(); i++) {
      lines.set(i, lines.get(i).strip());
    }
    while (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
      lines.remove(lines.size() - 1);
    }
    if (lines.isEmpty()) {
      throw ServingException.failedPrecondition("labels file " + file + " is empty");
    }
    return new Labels(lines);
  }

  public int size() {
    return names.size();
  }

  /** The label of output index i, or null when the file has no line i. */
  public String get(int index) {
    return index >= 0 && index < names.size() ? names.get(index) : null;
  }
}
