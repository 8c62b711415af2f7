/**
 * The Open Inference Protocol (KServe "v2", Triton's HTTP/gRPC protocol) as a third front end on
 * the one request pipeline: what its REST ({@code v2.rest}) and gRPC ({@code v2.grpc}) halves
 * share — datatype names, model references, requested outputs, metadata, the raw BYTES layout,
 * classification strings, error statuses and the server's identity. Decoding and encoding only;
 * resolution, dtype checks, images, classification, runs and metrics are {@code serving}'s.
 * Imports serving, servables, tensor, image (label entries), core (version states) and status;
 * never another front end or {@code server}.
 */
package io.tessera.v2;
