/**
 * The only package that talks to native code: {@link io.tessera.nativebridge.TesseraNative} holds
 * every {@code native} method; the handle classes ({@link io.tessera.nativebridge.NativeHandle}
 * subclasses: sessions, run calls, host buffers, batching, image graphs) each own one native object
 * (idempotent close, Cleaner only as a leak detector); native errors become
 * {@link io.tessera.status.ServingException}s in {@link io.tessera.nativebridge.NativeErrors}.
 * Imports status only.
 */
package io.tessera.nativebridge;
