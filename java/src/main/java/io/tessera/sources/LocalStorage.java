package io.tessera.sources;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * A base path on the local file system: versions are its populated numeric child directories
 * ("1", "0001"); other names, files and empty directories are ignored. A base path that is itself
 * a SavedModel (the deployment guide's layout) is served as one version, with a note.
 */
public final class LocalStorage implements ModelStorage {
  private final Path basePath;

  public LocalStorage(Path basePath) {
    this.basePath = basePath;
  }

  @Override
  public String basePath() {
    return basePath.toString();
  }

  @Override
  public Listing list() throws IOException {
    NavigableMap<Long, Path> found = listVersions(basePath);
    String note = null;
    if (found.isEmpty() && isSavedModel(basePath)) {
      // The deployment guide points base_path at the version directory itself; TF Serving then
      // waits forever. Serve it as that version, and say once what the layout should be.
      long version = versionOfMisplacedBasePath(basePath);
      found = new TreeMap<>(java.util.Map.of(version, basePath));
      note = "Base path " + basePath + " is itself a SavedModel, not a directory of numbered versions; "
          + "serving it as version " + version + ". TF Serving expects <base_path>/<version>/saved_model.pb: "
          + "point --model_base_path (or base_path) at " + basePath.getParent() + " to get version polling.";
    }
    NavigableMap<Long, StoredVersion> versions = new TreeMap<>();
    found.forEach((v, dir) -> versions.put(v, new LocalVersion(dir)));
    return new Listing(versions, note);
  }

  /** A version directory on local disk: fetching it is reading it in place. */
  record LocalVersion(Path dir) implements StoredVersion {
    @Override
    public String location() {
      return dir.toString();
    }

    @Override
    public Fetched fetch() {
      return Fetched.local(dir);
    }
  }

  /** Populated numeric child directories of {@code basePath}; throws if it cannot be read. */
  static NavigableMap<Long, Path> listVersions(Path basePath) throws IOException {
    NavigableMap<Long, Path> versions = new TreeMap<>();
    try (DirectoryStream<Path> children = Files.newDirectoryStream(basePath)) {
      for (Path child : children) {
        Long version = parseVersion(child.getFileName().toString());
        if (version != null && Files.isDirectory(child) && !isEmptyDirectory(child)) {
          versions.putIfAbsent(version, child);
        }
      }
    }
    return versions;
  }

  /** True if {@code dir} directly holds a SavedModel (saved_model.pb or .pbtxt). */
  static boolean isSavedModel(Path dir) {
    return Files.isRegularFile(dir.resolve("saved_model.pb")) || Files.isRegularFile(dir.resolve("saved_model.pbtxt"));
  }

  /** The version a misplaced base path is served as: its own numeric name, else 1. */
  static long versionOfMisplacedBasePath(Path dir) {
    Long version = dir.getFileName() == null ? null : parseVersion(dir.getFileName().toString());
    return version == null ? 1 : version;
  }

  private static boolean isEmptyDirectory(Path dir) {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      return !entries.iterator().hasNext();
    } catch (IOException e) {
      return true;  // vanished or unreadable: not a usable version (yet)
    }
  }

  /** A version number from a directory (or key segment) name: digits only, else null. */
  static Long parseVersion(String name) {
    if (name.isEmpty() || name.length() > 18 || !name.chars().allMatch(Character::isDigit)) {
      return null;
    }
    return Long.parseLong(name);
  }
}
