package io.tessera.sources;

import io.tessera.status.ServingException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The one place a base path's scheme is dispatched on: a plain absolute path (or file://) is
 * local storage, s3://bucket/prefix is S3 or an S3-compatible store; any other scheme is an
 * INVALID_ARGUMENT in TensorFlow's words ("File system scheme 'gs' not implemented"). New
 * schemes (gs://, https://) plug in here with their own {@link ModelStorage}.
 *
 * <p>Owns the S3 client (created on first use, shared by every s3:// base path) and one
 * {@link ModelCache} per cached base path. Thread-safe.
 */
public final class ModelStorages implements AutoCloseable {
  /** Local paths only: any URI scheme is refused. */
  public static final ModelStorages LOCAL_ONLY = new ModelStorages(null);

  private static final Pattern URI_SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*)://(.*)$");

  private final S3Settings s3;
  private final Map<Path, ModelCache> caches = new HashMap<>();
  private S3Client s3Client;

  /** @param s3 how s3:// is reached; null refuses s3:// base paths */
  public ModelStorages(S3Settings s3) {
    this.s3 = s3;
  }

  /** The base path's URI scheme in lower case, or "" for a plain path. */
  public static String scheme(String basePath) {
    Matcher m = URI_SCHEME.matcher(basePath);
    return m.matches() ? m.group(1).toLowerCase(Locale.ROOT) : "";
  }

  /**
   * Checks that {@code basePath} is one this server can serve, without touching storage.
   *
   * @throws ServingException INVALID_ARGUMENT naming the scheme or what is wrong with the URI
   */
  public void check(String basePath) {
    switch (scheme(basePath)) {
      case "", "file" -> localPath(basePath);
      case "s3" -> {
        S3Storage.Location.parse(basePath);
        if (s3 == null) {
          throw ServingException.invalidArgument("s3:// base paths are not enabled in this process: " + basePath);
        }
      }
      default -> throw ServingException.invalidArgument("File system scheme '" + scheme(basePath)
          + "' not implemented (file: '" + basePath + "'); base paths are local paths or s3://bucket/prefix");
    }
  }

  /** The storage behind {@code basePath}; cheap (lists nothing). */
  public ModelStorage open(String basePath) {
    check(basePath);
    if (scheme(basePath).equals("s3")) {
      S3Storage.Location location = S3Storage.Location.parse(basePath);
      return new S3Storage(location, client(), cache(location.cacheRoot(s3.cacheDir())));
    }
    return new LocalStorage(localPath(basePath));
  }

  private static Path localPath(String basePath) {
    String path = scheme(basePath).equals("file") ? basePath.substring("file://".length()) : basePath;
    return Path.of(path);
  }

  private synchronized S3Client client() {
    if (s3Client == null) {
      s3Client = S3Clients.create(s3);
    }
    return s3Client;
  }

  private synchronized ModelCache cache(Path root) {
    return caches.computeIfAbsent(root, ModelCache::new);
  }

  @Override
  public synchronized void close() {
    if (s3Client != null) {
      s3Client.close();
      s3Client = null;
    }
  }
}
