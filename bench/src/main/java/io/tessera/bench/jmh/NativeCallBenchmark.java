package io.tessera.bench.jmh;

import io.tessera.servables.SavedModelBundle;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Per-call cost of Tessera's run path for the tiny model (Java → JNI → native core → TF C API),
 * with batching off and on (the difference is the scheduler's own enqueue → dispatch → wake-up
 * cost for a lone request). Compare with bench/native/c_api_bench.cc (the bare C API) in the load
 * script's table.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class NativeCallBenchmark {
  @Param({"false", "true"})
  public boolean batching;

  private SavedModelBundle bundle;

  @Setup(Level.Trial)
  public void load() {
    bundle = BenchModels.tiny(batching);
  }

  @TearDown(Level.Trial)
  public void unload() {
    bundle.close();
  }

  @Benchmark
  public float halfPlusTwo() {
    return BenchModels.runTiny(bundle);
  }
}
