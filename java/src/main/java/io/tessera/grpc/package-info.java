/**
 * The gRPC front end: {@code tensorflow.serving.PredictionService} and {@code ModelService} on
 * grpc-java, wire-compatible with TF Serving. Decodes requests into tensors and calls, encodes
 * results and errors (status codes, 1024-character texts); owns the listener, its limits, the
 * request memory accounting and the inline/worker offload. Imports serving, servables, tensor,
 * image, metrics, admission, transport, core and status; never {@code http} or {@code server}.
 */
package io.tessera.grpc;
