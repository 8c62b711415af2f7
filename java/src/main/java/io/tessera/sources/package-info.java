/**
 * Where versions come from: the source that polls base paths and emits aspired versions (TF
 * Serving's FileSystemStoragePathSource), the storages it lists them in ({@link
 * io.tessera.sources.ModelStorage}: a local directory, or s3:// through the AWS SDK with a local
 * download cache), the one scheme dispatch ({@link io.tessera.sources.ModelStorages}), the
 * version-policy selection, and the loadability check used before a config reload. Imports core
 * and status only.
 */
package io.tessera.sources;
