package io.tessera.sources;

import io.tessera.sources.VersionFiles.RemoteFile;
import io.tessera.status.ServingException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.logging.Logger;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A base path {@code s3://bucket/prefix} in S3 or an S3-compatible store. Versions are the numeric
 * first "directories" of the keys under the prefix ({@code prefix/7/saved_model.pb}); top-level
 * objects ({@code prefix/tessera_image.json}, labels) are the base path's own files. A version is
 * listed once {@link VersionFiles#missing} finds it complete and, after the first listing, once its
 * files (keys, sizes, ETags) are the same on two listings in a row, so a version still being
 * uploaded is not taken; a version once listed stays listed while it is complete. Fetching
 * downloads it into the {@link ModelCache}, each object read only if its ETag is still the listed
 * one and checked against the listed size.
 *
 * <p>Threading: {@link #list} is called from one thread (the source's); fetches are serialized
 * by the cache.
 */
final class S3Storage implements ModelStorage {
  private static final Logger LOG = Logger.getLogger(S3Storage.class.getName());

  /** Bucket and key prefix (no trailing slash; empty for the bucket's root) of an s3:// URI. */
  record Location(String bucket, String prefix) {
    static Location parse(String uri) {
      String rest = uri.substring(uri.indexOf("://") + 3);
      int slash = rest.indexOf('/');
      String bucket = slash < 0 ? rest : rest.substring(0, slash);
      String prefix = slash < 0 ? "" : rest.substring(slash + 1);
      while (prefix.endsWith("/")) {
        prefix = prefix.substring(0, prefix.length() - 1);
      }
      if (bucket.isEmpty() || !bucket.matches("[A-Za-z0-9._-]+")) {
        throw ServingException.invalidArgument("Base path " + uri + " does not name a bucket (s3://bucket/prefix)");
      }
      if (!prefix.isEmpty() && !VersionFiles.isSafePath(prefix)) {
        throw ServingException.invalidArgument("Base path " + uri
            + " has an empty, '.' or '..' path segment; use s3://bucket/prefix");
      }
      return new Location(bucket, prefix);
    }

    /** The keys under the base path start with this. */
    String keyPrefix() {
      return prefix.isEmpty() ? "" : prefix + "/";
    }

    Path cacheRoot(Path cacheDir) {
      Path root = cacheDir.resolve("s3").resolve(bucket);
      return prefix.isEmpty() ? root : root.resolve(prefix);
    }

    String uri() {
      return "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
    }
  }

  private final Location location;
  private final S3Client client;
  private final ModelCache cache;
  private Map<Long, List<RemoteFile>> previousListing;
  private final Set<Long> ready = new HashSet<>();
  private final Map<Long, String> lastIncomplete = new HashMap<>();

  S3Storage(Location location, S3Client client, ModelCache cache) {
    this.location = location;
    this.client = client;
    this.cache = cache;
  }

  @Override
  public String basePath() {
    return location.uri();
  }

  @Override
  public Listing list() throws IOException {
    Contents contents = contents();
    NavigableMap<Long, StoredVersion> versions = new TreeMap<>();
    for (Map.Entry<Long, List<RemoteFile>> e : contents.versions.entrySet()) {
      long version = e.getKey();
      Optional<String> missing = VersionFiles.missing(e.getValue());
      if (missing.isPresent()) {
        ready.remove(version);
        if (!missing.get().equals(lastIncomplete.put(version, missing.get()))) {
          LOG.info("Version " + version + " of " + basePath() + " is not complete yet (missing " + missing.get()
              + "); it is loaded once every part is uploaded");
        }
        continue;
      }
      lastIncomplete.remove(version);
      boolean settled = previousListing == null || e.getValue().equals(previousListing.get(version));
      if (ready.contains(version) || settled) {
        ready.add(version);
        versions.put(version, new S3Version(this, version));
      }
    }
    ready.retainAll(contents.versions.keySet());
    lastIncomplete.keySet().retainAll(contents.versions.keySet());
    previousListing = contents.versions;
    return new Listing(versions, null);
  }

  /** Every object under the base path, sorted into versions and the base path's own files. */
  private record Contents(Map<Long, List<RemoteFile>> versions, List<RemoteFile> baseFiles) {}

  private Contents contents() throws IOException {
    Map<Long, List<RemoteFile>> versions = new TreeMap<>();
    List<RemoteFile> baseFiles = new ArrayList<>();
    String keyPrefix = location.keyPrefix();
    try {
      ListObjectsV2Request request = ListObjectsV2Request.builder().bucket(location.bucket()).prefix(keyPrefix).build();
      for (S3Object object : client.listObjectsV2Paginator(request).contents()) {
        String rel = object.key().substring(keyPrefix.length());
        if (rel.isEmpty() || rel.endsWith("/")) {
          continue;  // "folder" marker objects
        }
        int slash = rel.indexOf('/');
        RemoteFile file = new RemoteFile(object.key(), slash < 0 ? rel : rel.substring(slash + 1),
            object.size(), unquote(object.eTag()));
        if (slash < 0) {
          if (LocalStorage.parseVersion(rel) == null && !rel.startsWith(".") && VersionFiles.isSafePath(rel)) {
            baseFiles.add(file);
          }
          continue;
        }
        Long version = LocalStorage.parseVersion(rel.substring(0, slash));
        if (version != null && VersionFiles.isSafePath(file.path())) {
          versions.computeIfAbsent(version, v -> new ArrayList<>()).add(file);
        }
      }
    } catch (SdkException e) {
      throw new IOException(basePath() + ": " + describe(e), e);
    }
    return new Contents(versions, baseFiles);
  }

  /** Lists the version again and brings it into the cache (called by the version's loader). */
  private StoredVersion.Fetched fetch(long version) throws IOException {
    Contents contents = contents();
    List<RemoteFile> files = contents.versions.get(version);
    String where = basePath() + "/" + version;
    if (files == null) {
      throw new IOException(where + " is no longer in storage");
    }
    Optional<String> missing = VersionFiles.missing(files);
    if (missing.isPresent()) {
      throw new IOException(where + " is incomplete (missing " + missing.get() + ")");
    }
    return cache.install(version, where, files, contents.baseFiles, this::download);
  }

  private long download(RemoteFile file, Path target) throws IOException {
    GetObjectRequest request = GetObjectRequest.builder().bucket(location.bucket()).key(file.key())
        .ifMatch("\"" + file.etag() + "\"").build();
    long written;
    try (ResponseInputStream<GetObjectResponse> in = client.getObject(request);
        OutputStream out = Files.newOutputStream(target)) {
      written = in.transferTo(out);
      String etag = unquote(in.response().eTag());
      if (etag != null && !etag.equals(file.etag())) {
        throw new IOException("s3://" + location.bucket() + "/" + file.key() + " changed while it was downloaded");
      }
    } catch (S3Exception e) {
      if (e.statusCode() == 412) {
        throw new IOException("s3://" + location.bucket() + "/" + file.key() + " changed since it was listed", e);
      }
      throw new IOException("s3://" + location.bucket() + "/" + file.key() + ": " + describe(e), e);
    } catch (SdkException e) {
      throw new IOException("s3://" + location.bucket() + "/" + file.key() + ": " + describe(e), e);
    }
    if (written != file.size()) {
      throw new IOException("s3://" + location.bucket() + "/" + file.key() + ": got " + written
          + " bytes, the listing says " + file.size());
    }
    return written;
  }

  /** An SDK error in a line: the S3 error code, HTTP status and message, or the client's reason. */
  static String describe(SdkException e) {
    if (e instanceof S3Exception s && s.awsErrorDetails() != null) {
      return s.awsErrorDetails().errorCode() + " (HTTP " + s.statusCode() + "): " + s.awsErrorDetails().errorMessage();
    }
    return e.getMessage();
  }

  private static String unquote(String etag) {
    if (etag == null) {
      return null;
    }
    return etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"") ? etag.substring(1, etag.length() - 1) : etag;
  }

  /** One version of this base path; equal when the storage (by identity) and number are. */
  private record S3Version(S3Storage storage, long version) implements StoredVersion {
    @Override
    public String location() {
      return storage.basePath() + "/" + version;
    }

    @Override
    public Fetched fetch() throws IOException {
      return storage.fetch(version);
    }
  }
}
