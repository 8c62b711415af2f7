package io.tessera.sources;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The files of one version in an object store, and whether they make a complete SavedModel. Pure.
 * An object store has no atomic rename, so a version appears file by file while it is uploaded;
 * it is complete once it has saved_model.pb (or .pbtxt) and, if any variables file is there,
 * variables/variables.index and every data shard its names announce
 * ({@code variables.data-00000-of-00002} needs shards 0 and 1).
 */
public final class VersionFiles {
  private static final Pattern SHARD = Pattern.compile("variables/variables\\.data-(\\d{5})-of-(\\d{5})");

  private VersionFiles() {}

  /**
   * One object of a version (or of the base path itself): its full key, its path relative to the
   * version (or base path), size and ETag as listed.
   */
  public record RemoteFile(String key, String path, long size, String etag) {}

  /** What keeps {@code files} from being a complete SavedModel, or empty when it is complete. */
  public static Optional<String> missing(List<RemoteFile> files) {
    Set<String> paths = new TreeSet<>();
    files.forEach(f -> paths.add(f.path()));
    if (!paths.contains("saved_model.pb") && !paths.contains("saved_model.pbtxt")) {
      return Optional.of("saved_model.pb");
    }
    boolean hasVariables = paths.stream().anyMatch(p -> p.startsWith("variables/"));
    if (!hasVariables) {
      return Optional.empty();
    }
    List<String> absent = new ArrayList<>();
    if (!paths.contains("variables/variables.index")) {
      absent.add("variables/variables.index");
    }
    Set<Integer> shardCounts = new TreeSet<>();
    for (String p : paths) {
      Matcher m = SHARD.matcher(p);
      if (m.matches()) {
        shardCounts.add(Integer.parseInt(m.group(2)));
      }
    }
    if (shardCounts.isEmpty()) {
      absent.add("variables/variables.data-00000-of-NNNNN");
    }
    for (int count : shardCounts) {
      for (int i = 0; i < count; i++) {
        String shard = String.format("variables/variables.data-%05d-of-%05d", i, count);
        if (!paths.contains(shard)) {
          absent.add(shard);
        }
      }
    }
    return absent.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", absent));
  }

  /**
   * True when {@code path} is safe to recreate under a local directory: relative, no empty, "."
   * or ".." segment, no backslash or NUL.
   */
  public static boolean isSafePath(String path) {
    if (path.isEmpty() || path.startsWith("/") || path.indexOf('\\') >= 0 || path.indexOf('\0') >= 0) {
      return false;
    }
    for (String segment : path.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        return false;
      }
    }
    return true;
  }
}
