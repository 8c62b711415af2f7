/**
 * Batching parameters: TF Serving's {@code BatchingParameters} (server-wide or per version)
 * validated into the native scheduler's settings. Imports config, nativebridge and status.
 */
package io.tessera.servables.batching;
