/**
 * Where versions come from: the file-system source that polls base paths and emits aspired
 * versions (TF Serving's FileSystemStoragePathSource), the version-policy selection, and the
 * on-disk loadability check used before a config reload. Imports core only.
 */
package io.tessera.sources;
