package io.tessera.bench.jmh;

import io.tessera.tensor.DataType;
import io.tessera.tensor.OutputTensor;
import io.tessera.tensor.json.PredictJsonWriter;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * REST response encoding of mobilenet_v2's serving_default outputs for one image: {@code logits}
 * and {@code probabilities}, both [1, 1001] floats, written as TF Serving writes them
 * ({"predictions": [{...}]}, and {"outputs": {...}} for the columnar form). The values are a
 * softmax of random logits with one dominant class, as a classifier gives. The {@code bytes}
 * counter is the total of JSON produced; MB/s = ops/s × the response size printed at set-up.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class EncodeBenchmark {
  private static final int CLASSES = 1001;
  private List<OutputTensor> outputs;

  /** JSON bytes produced (a total over the iteration, reported beside ops/s). */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Bytes {
    public long bytes;
  }

  /** The response sink, reused as the REST transport reuses its buffers. */
  @State(Scope.Thread)
  public static class Sink {
    final ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 16);
  }

  @Setup(Level.Trial)
  public void build() {
    SplittableRandom r = new SplittableRandom(1001);
    float[] logits = new float[CLASSES];
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < CLASSES; i++) {
      logits[i] = (float) (gaussian(r) * 2.0);
      max = Math.max(max, logits[i]);
    }
    logits[286] = (float) (max + 6.0);  // one confident class, as a photo of a cat gives
    double sum = 0;
    for (float l : logits) {
      sum += Math.exp(l - logits[286]);
    }
    float[] probabilities = new float[CLASSES];
    for (int i = 0; i < CLASSES; i++) {
      probabilities[i] = (float) (Math.exp(logits[i] - logits[286]) / sum);
    }
    outputs = List.of(tensor("logits", logits), tensor("probabilities", probabilities));
    ByteArrayOutputStream once = new ByteArrayOutputStream();
    PredictJsonWriter.write(once, outputs, true);
    ByteArrayOutputStream columns = new ByteArrayOutputStream();
    PredictJsonWriter.write(columns, outputs, false);
    System.out.println("EncodeBenchmark response bytes: predictions " + once.size()
        + ", outputs " + columns.size());
  }

  private static double gaussian(SplittableRandom r) {
    return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
  }

  private static OutputTensor tensor(String alias, float[] values) {
    ByteBuffer b = ByteBuffer.allocateDirect(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      b.putFloat(v);
    }
    return new OutputTensor(alias, DataType.DT_FLOAT, new long[] {1, values.length}, b.flip(), null, 0);
  }

  @Benchmark
  public int restPredictions(Sink sink, Bytes counter) {
    return encode(sink, counter, true);
  }

  @Benchmark
  public int restOutputs(Sink sink, Bytes counter) {
    return encode(sink, counter, false);
  }

  private int encode(Sink sink, Bytes counter, boolean rows) {
    sink.out.reset();
    PredictJsonWriter.write(sink.out, outputs, rows);
    counter.bytes += sink.out.size();
    return sink.out.size();
  }
}
