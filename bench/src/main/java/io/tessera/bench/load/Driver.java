package io.tessera.bench.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a call on T threads, closed loop, for D seconds (after a warm-up on one thread of
 * {@code bench.warmupSeconds}, default 1) and reports stats,
 * including CPU time per request over the measured window: of the process named by the system
 * property {@code bench.cpuPid} (a server under load, read from /proc/PID/stat) or, without it, of
 * this process (the in-process baselines' own cost).
 */
final class Driver {
  /** One request; throws on failure. */
  interface Call {
    void run() throws Exception;
  }

  /** USER_HZ: Linux reports /proc CPU times in 1/100 s on every architecture we run on. */
  private static final long NANOS_PER_CLOCK_TICK = 10_000_000L;

  private Driver() {}

  static String run(String name, int threads, double seconds, Call call) throws InterruptedException {
    double warmupSeconds = Double.parseDouble(System.getProperty("bench.warmupSeconds", "1"));
    long warmupEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
    while (System.nanoTime() < warmupEnd) {
      try {
        call.run();
      } catch (Exception e) {
        throw new IllegalStateException(name + " failed during warm-up", e);
      }
    }
    long cpuBefore = processCpuNanos();
    long jitBefore = jitCpuNanos();
    AtomicBoolean stop = new AtomicBoolean();
    LoadStats stats = new LoadStats();
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread worker = new Thread(() -> {
        long[] samples = new long[1 << 22];
        int n = 0;
        long failed = 0;
        while (!stop.get()) {
          long begin = System.nanoTime();
          try {
            call.run();
            if (n < samples.length) {
              samples[n++] = System.nanoTime() - begin;
            }
          } catch (Exception e) {
            failed++;
          }
        }
        stats.add(samples, n, failed);
      });
      worker.start();
      workers.add(worker);
    }
    Thread.sleep((long) (seconds * 1000));
    stop.set(true);
    for (Thread w : workers) {
      w.join();
    }
    return stats.line(name, seconds, processCpuNanos() - cpuBefore, jitCpuNanos() - jitBefore);
  }

  private static long processCpuNanos() {
    String pid = System.getProperty("bench.cpuPid");
    if (pid == null) {
      return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
          .getProcessCpuTime();
    }
    try {
      // fields after the ")" that ends the command name: state is [0], utime [11], stime [12]
      String stat = Files.readString(Path.of("/proc", pid, "stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * NANOS_PER_CLOCK_TICK;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the CPU time of process " + pid, e);
    }
  }

  /**
   * CPU time of the measured process's JIT compiler threads (HotSpot's "C1/C2 CompilerThreadN",
   * cut to 15 characters in /proc), so the table can show what is warm-up rather than serving.
   */
  private static long jitCpuNanos() {
    String pid = System.getProperty("bench.cpuPid", "self");
    long ticks = 0;
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", pid, "task"))) {
      for (Path task : tasks) {
        try {
          String comm = Files.readString(task.resolve("comm"));
          if (!comm.startsWith("C1 CompilerThre") && !comm.startsWith("C2 CompilerThre")) {
            continue;
          }
          String stat = Files.readString(task.resolve("stat"));
          String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (NoSuchFileException gone) {
          // the thread ended while we listed them
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the threads of process " + pid, e);
    }
    return ticks * NANOS_PER_CLOCK_TICK;
  }
}
