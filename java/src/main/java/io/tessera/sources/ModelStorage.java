package io.tessera.sources;

import java.io.IOException;
import java.util.NavigableMap;

/**
 * A model's base path in one kind of storage: a local directory ({@link LocalStorage}) or an
 * object store ({@link S3Storage}); the seam for gs:// and https:// later. {@link ModelStorages}
 * picks the implementation from the base path's scheme. Listing is called from the source's poll
 * thread only; implementations may keep state between listings.
 */
public interface ModelStorage {
  /** The base path as configured. */
  String basePath();

  /**
   * The versions that are complete now, by number. A version still being written (an empty
   * directory, an object-store version with parts missing) is left out until it is complete.
   *
   * @throws IOException the base path cannot be listed (missing, no access, server down)
   */
  Listing list() throws IOException;

  /**
   * What one listing found, and an operator note about the base path's layout to log once
   * (null when there is none).
   */
  record Listing(NavigableMap<Long, StoredVersion> versions, String note) {}
}
