/** JMH benchmarks and load-test drivers for Tessera (filled in by the batching/bench issue). */
package io.tessera.bench;
