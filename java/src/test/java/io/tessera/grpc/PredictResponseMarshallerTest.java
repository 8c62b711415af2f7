package io.tessera.grpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.Int64Value;
import io.grpc.Drainable;
import io.tessera.proto.serving.ModelSpec;
import io.tessera.proto.serving.PredictResponse;
import io.tessera.tensor.DataType;
import io.tessera.tensor.OutputTensor;
import io.tessera.tensor.TensorProtoCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Predict responses written from output memory: the generated serializer's bytes for every dense
 * dtype, typed fields and tensor_content, and the outputs freed exactly once on every path
 * (drained, dropped by the transport undrained, a transport write failing midway, read as a stream).
 */
class PredictResponseMarshallerTest {
  private static final ModelSpec SPEC = ModelSpec.newBuilder().setName("m").setVersion(Int64Value.of(4))
      .setSignatureName("serving_default").build();
  private final PredictResponseMarshaller marshaller = new PredictResponseMarshaller();
  private final AtomicInteger freed = new AtomicInteger();

  private static OutputTensor output(String alias, DataType dtype, long... shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    ByteBuffer data = ByteBuffer.allocateDirect((int) n * dtype.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < data.capacity(); i++) {
      data.put(i, (byte) (i * 37 + 11));
    }
    if (dtype == DataType.DT_BOOL) {
      for (int i = 0; i < data.capacity(); i++) {
        data.put(i, (byte) (i % 2));
      }
    }
    return new OutputTensor(alias, dtype, shape, data, null, 0);
  }

  private static List<OutputTensor> everyDenseDtype() {
    List<OutputTensor> outputs = new ArrayList<>();
    outputs.add(output("probabilities", DataType.DT_FLOAT, 1, 1001));
    outputs.add(output("d", DataType.DT_DOUBLE, 3));
    outputs.add(output("i32", DataType.DT_INT32, 2, 2));
    outputs.add(output("i64", DataType.DT_INT64, 2));
    outputs.add(output("u8", DataType.DT_UINT8, 5));
    outputs.add(output("u64", DataType.DT_UINT64, 1));
    outputs.add(output("flags", DataType.DT_BOOL, 4));
    outputs.add(output("half", DataType.DT_HALF, 2));
    outputs.add(output("c64", DataType.DT_COMPLEX64, 2));
    outputs.add(output("c128", DataType.DT_COMPLEX128, 1));
    outputs.add(output("empty", DataType.DT_FLOAT, 0, 5));
    outputs.add(output("scalar", DataType.DT_FLOAT));
    outputs.add(output("", DataType.DT_INT8, 1));
    return outputs;
  }

  private static byte[] generated(List<OutputTensor> outputs, boolean asContent) {
    PredictResponse.Builder b = PredictResponse.newBuilder().setModelSpec(SPEC);
    for (OutputTensor t : outputs) {
      b.putOutputs(t.alias(), TensorProtoCodec.encode(t, asContent));
    }
    return b.build().toByteArray();
  }

  @Test
  void writesTheGeneratedSerializersBytesAndFreesOnceDrained() throws IOException {
    for (boolean asContent : new boolean[] {false, true}) {
      freed.set(0);
      List<OutputTensor> outputs = everyDenseDtype();
      InputStream stream = marshaller.stream(new OutgoingPredict(SPEC, outputs, asContent, freed::incrementAndGet));
      byte[] expected = generated(outputs, asContent);
      assertEquals(expected.length, stream.available());
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertEquals(expected.length, ((Drainable) stream).drainTo(out));
      assertEquals(1, freed.get(), "freed right after the copy");
      stream.close();
      assertEquals(1, freed.get(), "and only once");
      assertArrayEquals(expected, out.toByteArray(), "tensor_content=" + asContent);
    }
  }

  @Test
  void aStreamTheTransportDropsUndrainedFreesOnce() throws IOException {
    InputStream stream = marshaller.stream(new OutgoingPredict(SPEC, everyDenseDtype(), false, freed::incrementAndGet));
    stream.close();
    stream.close();
    assertEquals(1, freed.get());
  }

  @Test
  void aWriteFailingMidwayFreesOnce() throws IOException {
    OutgoingPredict message = new OutgoingPredict(SPEC, List.of(output("big", DataType.DT_FLOAT, 1 << 16)), false,
        freed::incrementAndGet);
    InputStream stream = marshaller.stream(message);
    OutputStream failing = new OutputStream() {
      private int written;

      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        written += len;
        if (written > 100_000) {
          throw new IOException("connection reset");
        }
      }
    };
    assertThrows(IOException.class, () -> ((Drainable) stream).drainTo(failing));
    assertEquals(1, freed.get());
    stream.close();
    message.close();
    assertEquals(1, freed.get());
  }

  @Test
  void readingInsteadOfDrainingGivesTheSameBytes() throws IOException {
    List<OutputTensor> outputs = everyDenseDtype();
    try (InputStream stream = marshaller.stream(new OutgoingPredict(SPEC, outputs, false, freed::incrementAndGet))) {
      assertArrayEquals(generated(outputs, false), stream.readAllBytes());
    }
    assertEquals(1, freed.get());
  }
}
