/**
 * Tensors on the request path: input tensors written straight into 64-byte-aligned native
 * buffers (reserved on the in-flight memory budget), output views, dtypes, checked shapes, and the
 * TensorProto codec with TensorFlow's rules. Imports nativebridge, admission and status.
 */
package io.tessera.tensor;
