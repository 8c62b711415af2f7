/**
 * Prometheus metrics with TF Serving's names and labels (request counts and latencies, run
 * latency, load and warmup, batching, request logging), bounded label sets. Imports servables and
 * nativebridge (run timings, host-buffer bytes) and requestlog (it implements its
 * {@code RequestLogStats}) only.
 */
package io.tessera.metrics;
