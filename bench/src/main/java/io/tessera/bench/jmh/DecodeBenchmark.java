package io.tessera.bench.jmh;

import com.google.protobuf.ByteString;
import io.tessera.proto.tf.DataType;
import io.tessera.proto.tf.TensorProto;
import io.tessera.proto.tf.TensorShapeProto;
import io.tessera.tensor.InputTensor;
import io.tessera.tensor.TensorProtoCodec;
import io.tessera.tensor.json.PredictJsonReader;
import io.tessera.tensor.json.PredictJsonRequest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
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
 * Request decoding into the aligned native input buffer for one 224×224×3 float image: REST JSON
 * from a heap buffer and from a direct one (as the REST transport aggregates bodies), also with
 * the 16-17 digit numbers a Python client sends for float32 pixels ({@code json.dumps} of
 * {@code tolist()}); and TensorProto (tensor_content and float_val). The {@code bytes} counter is
 * the total of JSON read: MB/s = ops/s × the body sizes printed at set-up.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DecodeBenchmark {
  private static final int N = 224 * 224 * 3;
  private ByteBuffer json;
  private ByteBuffer directJson;
  private ByteBuffer longDigitsJson;
  private TensorProto content;
  private TensorProto typed;

  /** Bytes of request body decoded per second (JMH reports it beside ops/s). */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Bytes {
    public long bytes;
  }

  @Setup(Level.Trial)
  public void build() {
    StringBuilder text = new StringBuilder("{\"instances\": [{\"images\": [");
    for (int y = 0; y < 224; y++) {
      text.append(y == 0 ? "[" : ",[");
      for (int x = 0; x < 224; x++) {
        text.append(x == 0 ? "" : ",").append("[0.1234567,-0.7654321,0.5]");
      }
      text.append(']');
    }
    json = ByteBuffer.wrap(text.append("]}]}").toString().getBytes(StandardCharsets.UTF_8));
    directJson = ByteBuffer.allocateDirect(json.remaining()).put(json.duplicate()).flip();
    java.util.SplittableRandom pixels = new java.util.SplittableRandom(224);
    StringBuilder python = new StringBuilder("{\"instances\": [[");
    for (int y = 0; y < 224; y++) {
      python.append(y == 0 ? "[" : ", [");
      for (int x = 0; x < 224; x++) {
        python.append(x == 0 ? "[" : ", [");
        for (int c = 0; c < 3; c++) {
          float v = pixels.nextInt(256) / 127.5f - 1f;  // mobilenet's preprocessing
          python.append(c == 0 ? "" : ", ").append((double) v);
        }
        python.append(']');
      }
      python.append(']');
    }
    byte[] pythonBytes = python.append("]]}").toString().getBytes(StandardCharsets.UTF_8);
    longDigitsJson = ByteBuffer.allocateDirect(pythonBytes.length).put(pythonBytes).flip();
    System.out.println("DecodeBenchmark body bytes: restJson " + json.remaining()
        + ", restJsonLongDigits " + pythonBytes.length);
    ByteBuffer raw = ByteBuffer.allocate(N * 4).order(ByteOrder.LITTLE_ENDIAN);
    TensorProto.Builder floats = TensorProto.newBuilder().setDtype(DataType.DT_FLOAT);
    for (int i = 0; i < N; i++) {
      raw.putFloat(i * 0.001f);
      floats.addFloatVal(i * 0.001f);
    }
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (long d : new long[] {1, 224, 224, 3}) {
      shape.addDimBuilder().setSize(d);
    }
    content = TensorProto.newBuilder().setDtype(DataType.DT_FLOAT).setTensorShape(shape)
        .setTensorContent(ByteString.copyFrom(raw.array())).build();
    typed = floats.setTensorShape(shape).build();
  }

  @Benchmark
  public long restJson(Bytes counter) {
    return decode(json, counter);
  }

  @Benchmark
  public long restJsonDirect(Bytes counter) {
    return decode(directJson, counter);
  }

  @Benchmark
  public long restJsonLongDigits(Bytes counter) {
    return decode(longDigitsJson, counter);
  }

  private static long decode(ByteBuffer body, Bytes counter) {
    try (PredictJsonRequest r = PredictJsonReader.read(body, name -> Map.of("images", io.tessera.tensor.DataType.DT_FLOAT))) {
      counter.bytes += body.remaining();
      return r.inputs().get("images").byteSize();
    }
  }

  @Benchmark
  public long tensorContent() {
    try (InputTensor t = TensorProtoCodec.decode("images", content)) {
      return t.byteSize();
    }
  }

  @Benchmark
  public long floatVal() {
    try (InputTensor t = TensorProtoCodec.decode("images", typed)) {
      return t.byteSize();
    }
  }
}
