/**
 * The REST front end: TF Serving's {@code /v1/models/...} API on Netty HTTP/1.1. Owns the
 * listener and its channel pipeline (connection cap, timeouts, one request in flight per
 * connection, budgeted body aggregation), routing, decoding JSON bodies into the request
 * pipeline's typed calls and encoding their results, the JSON error format, the non-API pages
 * (probes, metrics, demo page); resolution, checks, runs and metrics are the pipeline's. Paths
 * another API owns (the Open Inference Protocol's {@code /v2}) go to its
 * {@link io.tessera.transport.HttpApi} on the same transport.
 * Imports serving, servables, tensor (and tensor.json), image, metrics, nativebridge (the
 * devices page), admission, transport and status; never {@code grpc}, {@code v2} or {@code server}.
 */
package io.tessera.http;
