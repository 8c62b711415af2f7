package io.tessera.sources;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One version a {@link ModelStorage} found: where it lives and how to get it onto local disk. The
 * source emits these; the version's loader calls {@link #fetch} on every load attempt. Two are
 * equal when they name the same version of the same base path (so a re-listing is not a change).
 */
public interface StoredVersion {
  /** Where the version is, for logs, errors and metrics: a directory or a URI (s3://bucket/m/7). */
  String location();

  /**
   * Makes the whole version readable on local disk. The directory's parent holds the base path's
   * own files (tessera_image.json, labels), as the base path does, so everything a version load
   * reads comes from there. Remote storage downloads (or reuses an identical earlier download)
   * and never leaves a partial directory in place.
   *
   * @return the local copy; the caller owns it and closes it once the version is unloaded or its
   *     load failed (a remote copy is then removed from the cache)
   * @throws IOException the version cannot be fetched now (the load fails and is retried)
   */
  Fetched fetch() throws IOException;

  /**
   * A fetched version: its local directory, what fetching it took ({@code bytes} and
   * {@code files} transferred; 0 files when nothing had to be downloaded) and the hold on the
   * local copy, given up by an idempotent {@link #close}.
   */
  final class Fetched implements AutoCloseable {
    private final Path dir;
    private final long bytes;
    private final int files;
    private final long nanos;
    private final Runnable release;
    private final AtomicBoolean closed = new AtomicBoolean();

    public Fetched(Path dir, long bytes, int files, long nanos, Runnable release) {
      this.dir = dir;
      this.bytes = bytes;
      this.files = files;
      this.nanos = nanos;
      this.release = release;
    }

    /** A version read in place: nothing to release. */
    public static Fetched local(Path dir) {
      return new Fetched(dir, 0, 0, 0, () -> {});
    }

    public Path dir() {
      return dir;
    }

    public long bytes() {
      return bytes;
    }

    public int files() {
      return files;
    }

    public long nanos() {
      return nanos;
    }

    public boolean downloaded() {
      return files > 0;
    }

    @Override
    public void close() {
      if (closed.compareAndSet(false, true)) {
        release.run();
      }
    }
  }
}
