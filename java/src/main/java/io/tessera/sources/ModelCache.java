package io.tessera.sources;

import io.tessera.sources.StoredVersion.Fetched;
import io.tessera.sources.VersionFiles.RemoteFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The local copy of one remote base path under --model_cache_dir: {@code <root>/<version>/} per
 * downloaded version, the base path's own top-level files (tessera_image.json, labels) in
 * {@code <root>/}, so a version directory's parent reads like the base path. A version is
 * downloaded into {@code <root>/.staging-<version>-<n>/}, each file checked against the listing's
 * size and ETag, and renamed into place only when all of it is there; a copy whose recorded
 * listing ({@code .tessera-files}) equals the new one is reused. Each {@link Fetched} holds its
 * version; when the last hold is closed (the version was unloaded or failed to load) the copy is
 * deleted. One cache directory belongs to one server process.
 *
 * <p>Threading: all methods are synchronized; downloads of one base path run one at a time.
 */
final class ModelCache {
  private static final Logger LOG = Logger.getLogger(ModelCache.class.getName());
  static final String MANIFEST = ".tessera-files";
  private static final String BASE_MANIFEST = ".tessera-base-files";
  private static final long PROGRESS_LOG_NANOS = TimeUnit.SECONDS.toNanos(5);

  /** Writes one remote file to {@code target}, verified; returns the bytes written. */
  interface Download {
    long get(RemoteFile file, Path target) throws IOException;
  }

  private final Path root;
  private final Map<Long, Integer> holds = new HashMap<>();
  private long stagingCounter;

  ModelCache(Path root) {
    this.root = root;
    deleteStaleStaging();
  }

  Path root() {
    return root;
  }

  /**
   * Makes {@code version} (and the base path's files) local and takes a hold on it.
   *
   * @param location the version's URI, for the log
   */
  synchronized Fetched install(long version, String location, List<RemoteFile> versionFiles,
      List<RemoteFile> baseFiles, Download download) throws IOException {
    long started = System.nanoTime();
    Files.createDirectories(root);
    Progress progress = new Progress(location, versionFiles, baseFiles);
    syncBaseFiles(baseFiles, download, progress);
    Path dir = root.resolve(Long.toString(version));
    String manifest = manifest(versionFiles);
    if (manifest.equals(readOrEmpty(dir.resolve(MANIFEST)))) {
      LOG.info("Using the cached copy of " + location + " in " + dir);
    } else {
      Path staging = root.resolve(".staging-" + version + "-" + (++stagingCounter));
      deleteTree(staging);
      try {
        LOG.info("Downloading " + location + " (" + versionFiles.size() + " files, " + progress.total
            + " bytes) into " + dir);
        for (RemoteFile file : versionFiles) {
          Path target = staging.resolve(file.path());
          Files.createDirectories(target.getParent());
          progress.add(download.get(file, target));
        }
        Files.writeString(staging.resolve(MANIFEST), manifest, StandardCharsets.UTF_8);
        deleteTree(dir);
        Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException | RuntimeException e) {
        deleteTree(staging);
        throw e;
      }
    }
    long nanos = System.nanoTime() - started;
    if (progress.files > 0) {
      LOG.info(String.format("Downloaded %s: %d files, %d bytes in %d ms (%.1f MB/s)", location, progress.files,
          progress.bytes, TimeUnit.NANOSECONDS.toMillis(nanos), progress.bytes / 1e6 / Math.max(1e-9, nanos / 1e9)));
    }
    holds.merge(version, 1, Integer::sum);
    return new Fetched(dir, progress.bytes, progress.files, nanos, () -> release(version));
  }

  private synchronized void release(long version) {
    int left = holds.merge(version, -1, Integer::sum);
    if (left > 0) {
      return;
    }
    holds.remove(version);
    Path dir = root.resolve(Long.toString(version));
    try {
      deleteTree(dir);
      LOG.info("Removed the cached copy " + dir);
    } catch (IOException e) {
      LOG.log(Level.WARNING, "Could not remove the cached copy " + dir + ": " + e);
    }
  }

  /** Top-level files of the base path: replaced one by one (atomic rename) when they changed. */
  private void syncBaseFiles(List<RemoteFile> files, Download download, Progress progress) throws IOException {
    String manifest = manifest(files);
    String previous = readOrEmpty(root.resolve(BASE_MANIFEST));
    if (manifest.equals(previous)) {
      return;
    }
    java.util.Set<String> unchanged = new java.util.HashSet<>(previous.lines().map(l -> l + "\n").toList());
    for (RemoteFile file : files) {
      Path target = root.resolve(file.path());
      if (unchanged.contains(line(file)) && Files.isRegularFile(target)) {
        continue;
      }
      Path temp = root.resolve(".staging-file-" + (++stagingCounter));
      try {
        progress.add(download.get(file, temp));
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(temp);
      }
    }
    for (String old : previous.lines().toList()) {
      String path = old.split("\t", 2)[0];
      if (files.stream().noneMatch(f -> f.path().equals(path)) && VersionFiles.isSafePath(path)) {
        Files.deleteIfExists(root.resolve(path));
      }
    }
    Files.writeString(root.resolve(BASE_MANIFEST), manifest, StandardCharsets.UTF_8);
  }

  private static String manifest(List<RemoteFile> files) {
    List<String> lines = new ArrayList<>();
    files.forEach(f -> lines.add(line(f)));
    lines.sort(Comparator.naturalOrder());
    return String.join("", lines);
  }

  private static String line(RemoteFile f) {
    return f.path() + "\t" + f.size() + "\t" + f.etag() + "\n";
  }

  private static String readOrEmpty(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  private void deleteStaleStaging() {
    if (!Files.isDirectory(root)) {
      return;
    }
    try (DirectoryStream<Path> children = Files.newDirectoryStream(root, ".staging-*")) {
      for (Path child : children) {
        deleteTree(child);
      }
    } catch (IOException e) {
      LOG.warning("Could not clean staging directories in " + root + ": " + e);
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (UncheckedIOException e) {
      if (!(e.getCause() instanceof NoSuchFileException)) {
        throw e.getCause();
      }
    }
  }

  /** Bytes and files so far of one install; logs a progress line every few seconds. */
  private static final class Progress {
    final String location;
    final long total;
    final int count;
    long bytes;
    int files;
    long lastLog = System.nanoTime();

    Progress(String location, List<RemoteFile> versionFiles, List<RemoteFile> baseFiles) {
      this.location = location;
      this.total = Stream.concat(versionFiles.stream(), baseFiles.stream()).mapToLong(RemoteFile::size).sum();
      this.count = versionFiles.size() + baseFiles.size();
    }

    void add(long fileBytes) {
      bytes += fileBytes;
      files++;
      if (System.nanoTime() - lastLog > PROGRESS_LOG_NANOS) {
        lastLog = System.nanoTime();
        LOG.info("Downloading " + location + ": " + files + " of " + count + " files, " + bytes + " of "
            + total + " bytes");
      }
    }
  }
}
