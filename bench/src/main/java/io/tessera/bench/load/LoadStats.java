package io.tessera.bench.load;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Latency samples from several threads → the one-line result
 * "name qps p50_us p99_us errors cpu_us_per_request jit_cpu_us_per_request" (the last: the
 * measured process's JIT compiler threads, part of the CPU before it).
 */
final class LoadStats {
  private final List<long[]> perThread = new ArrayList<>();
  private final List<Integer> counts = new ArrayList<>();
  private long errors;

  synchronized void add(long[] nanos, int count, long failed) {
    perThread.add(nanos);
    counts.add(count);
    errors += failed;
  }

  synchronized String line(String name, double seconds, long cpuNanos, long jitNanos) {
    List<Long> all = new ArrayList<>();
    for (int t = 0; t < perThread.size(); t++) {
      for (int i = 0; i < counts.get(t); i++) {
        all.add(perThread.get(t)[i]);
      }
    }
    Collections.sort(all);
    double p50 = all.isEmpty() ? 0 : all.get(all.size() / 2) / 1e3;
    double p99 = all.isEmpty() ? 0 : all.get(Math.min(all.size() - 1, all.size() * 99 / 100)) / 1e3;
    double cpuPerRequest = all.isEmpty() ? 0 : cpuNanos / 1e3 / all.size();
    double jitPerRequest = all.isEmpty() ? 0 : jitNanos / 1e3 / all.size();
    return String.format("%s %.1f %.1f %.1f %d %.1f %.1f", name, all.size() / seconds, p50, p99, errors, cpuPerRequest,
        jitPerRequest);
  }
}
