/**
 * Prometheus metrics with TF Serving's names and labels (request counts and latencies, run
 * latency, load and warmup, batching), bounded label sets. Imports servables and nativebridge
 * (run timings, host-buffer bytes) only.
 */
package io.tessera.metrics;
