package io.tessera.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Int64Value;
import com.google.protobuf.UnknownFieldSet;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.internal.CompositeReadableBuffer;
import io.grpc.internal.ReadableBuffers;
import io.tessera.admission.MemoryBudget;
import io.tessera.nativebridge.HostBuffer;
import io.tessera.proto.serving.ModelSpec;
import io.tessera.proto.serving.PredictRequest;
import io.tessera.proto.serving.PredictionServiceGrpc;
import io.tessera.proto.tf.DataType;
import io.tessera.proto.tf.TensorProto;
import io.tessera.proto.tf.TensorShapeProto;
import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import io.tessera.tensor.InputTensor;
import io.tessera.tensor.TensorProtoCodec;
import io.tessera.tensor.WireTensorData;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The zero-copy Predict parser against the generated one, for every request shape of the wire
 * tests and the unusual ones: the same request once the moved bytes are put back, the same
 * decoded tensor (dtype, shape, bytes) or the same error, nothing left allocated or reserved.
 * Messages arrive as grpc-java's composite receive buffer split at random points, and as a plain
 * stream (what a compressed message looks like).
 */
class PredictRequestMarshallerTest {
  private final PredictRequestMarshaller marshaller = new PredictRequestMarshaller();
  private final Random random = new Random(20);
  private long liveBefore;

  @BeforeEach
  void baseline() {
    liveBefore = HostBuffer.liveBytes();
  }

  @AfterEach
  void nothingLeft() {
    assertEquals(0, MemoryBudget.process().used(), "every reservation returned");
    assertEquals(liveBefore, HostBuffer.liveBytes(), "every host buffer freed");
    MemoryBudget.install(new MemoryBudget(Long.MAX_VALUE));
  }

  private static TensorProto.Builder tensor(DataType dtype, long... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (long d : dims) {
      shape.addDimBuilder().setSize(d);
    }
    return TensorProto.newBuilder().setDtype(dtype).setTensorShape(shape);
  }

  private static ByteString floats(int n) {
    ByteBuffer b = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      b.putFloat(i * 0.25f - 7);
    }
    return ByteString.copyFrom(b.array());
  }

  /** Every dtype, tensor_content and typed fields, fills, empties, bad sizes, huge shapes. */
  private static PredictRequest everyShape() {
    UnknownFieldSet unknown = UnknownFieldSet.newBuilder()
        .addField(99, UnknownFieldSet.Field.newBuilder().addVarint(7).addLengthDelimited(ByteString.copyFromUtf8("u")).build())
        .build();
    return PredictRequest.newBuilder()
        .setModelSpec(ModelSpec.newBuilder().setName("m").setVersion(Int64Value.of(3)).setSignatureName("s"))
        .putInputs("content", tensor(DataType.DT_FLOAT, 2, 3).setTensorContent(floats(6)).build())
        .putInputs("big", tensor(DataType.DT_FLOAT, 224, 224, 3).setTensorContent(floats(224 * 224 * 3)).build())
        .putInputs("floats", tensor(DataType.DT_FLOAT, 3, 1).addFloatVal(1).addFloatVal(2.5f).addFloatVal(-3).build())
        .putInputs("fill", tensor(DataType.DT_FLOAT, 5).addFloatVal(1).addFloatVal(2).build())
        .putInputs("more", tensor(DataType.DT_FLOAT, 2).addFloatVal(1).addFloatVal(2).addFloatVal(3).build())
        .putInputs("zeros", tensor(DataType.DT_FLOAT, 4).build())
        .putInputs("hugeFill", tensor(DataType.DT_FLOAT, 1L << 31).addFloatVal(1).build())
        .putInputs("overflow", tensor(DataType.DT_FLOAT, 1L << 40, 1L << 40).build())
        .putInputs("badSize", tensor(DataType.DT_FLOAT, 3).setTensorContent(floats(2)).build())
        .putInputs("contentWins", tensor(DataType.DT_FLOAT, 2).setTensorContent(floats(2)).addFloatVal(9).build())
        .putInputs("empty", tensor(DataType.DT_FLOAT, 0, 3).build())
        .putInputs("emptyWithBytes", tensor(DataType.DT_FLOAT, 0).setTensorContent(floats(2)).addFloatVal(1).build())
        .putInputs("scalar", tensor(DataType.DT_DOUBLE).addDoubleVal(Math.PI).build())
        .putInputs("doubles", tensor(DataType.DT_DOUBLE, 2).addDoubleVal(1).addDoubleVal(-2).build())
        .putInputs("floatsForDouble", tensor(DataType.DT_DOUBLE, 2).addFloatVal(1).addFloatVal(2).build())
        .putInputs("ids", tensor(DataType.DT_INT64, 4).addInt64Val(1).addInt64Val(-2).addInt64Val(1L << 40).build())
        .putInputs("small", tensor(DataType.DT_INT32, 2).addIntVal(7).addIntVal(-7).build())
        .putInputs("bytes", tensor(DataType.DT_UINT8, 3).setTensorContent(ByteString.copyFrom(new byte[] {1, 2, (byte) 255})).build())
        .putInputs("text", tensor(DataType.DT_STRING, 2).addStringVal(ByteString.copyFromUtf8("hello"))
            .addStringVal(ByteString.copyFrom(new byte[] {0, (byte) 0xff})).build())
        .putInputs("textWithContent", tensor(DataType.DT_STRING, 1).setTensorContent(floats(1))
            .addStringVal(ByteString.copyFromUtf8("s")).build())
        .putInputs("flags", tensor(DataType.DT_BOOL, 3).addBoolVal(true).addBoolVal(false).addBoolVal(true).build())
        .putInputs("half", tensor(DataType.DT_HALF, 2).addHalfVal(0x3c00).addHalfVal(0xc000).build())
        .putInputs("bf16", tensor(DataType.DT_BFLOAT16, 1).addHalfVal(0x3f80).build())
        .putInputs("c64", tensor(DataType.DT_COMPLEX64, 2).addScomplexVal(1).addScomplexVal(2).addScomplexVal(3)
            .addScomplexVal(4).build())
        .putInputs("c128", tensor(DataType.DT_COMPLEX128, 1).addDcomplexVal(1.5).addDcomplexVal(-0.5).build())
        .putInputs("u64", tensor(DataType.DT_UINT64, 2).addUint64Val(-1L).addUint32Val(-1).build())
        .putInputs("u32", tensor(DataType.DT_UINT32, 1).addUint32Val(-1).build())
        .putInputs("invalidDtype", tensor(DataType.DT_INVALID, 1).addFloatVal(1).build())
        .putInputs("unknownRank", TensorProto.newBuilder().setDtype(DataType.DT_FLOAT)
            .setTensorShape(TensorShapeProto.newBuilder().setUnknownRank(true)).build())
        .putInputs("withUnknown", tensor(DataType.DT_FLOAT, 1).addFloatVal(4).setUnknownFields(unknown).build())
        .putInputs("", tensor(DataType.DT_INT8, 1).addIntVal(-1).build())
        .addOutputFilter("y")
        .setClientId(ByteString.copyFromUtf8("client"))
        .setUnknownFields(unknown)
        .build();
  }

  @Test
  void everyRequestShapeParsesAsTheGeneratedParser() {
    byte[] wire = everyShape().toByteArray();
    for (int round = 0; round < 5; round++) {
      assertSame(wire, chunked(wire), true);
    }
    assertSame(wire, new ByteArrayInputStream(wire), true);
  }

  @Test
  void unusualMessagesGoToTheGeneratedParser() throws Exception {
    TensorProto a = tensor(DataType.DT_FLOAT, 2).setTensorContent(floats(2)).build();
    TensorProto b = tensor(DataType.DT_FLOAT, 2).addFloatVal(5).addFloatVal(6).build();
    // tensor_content twice in one TensorProto (protobuf keeps the last one)
    byte[] contentTwice = singleEntry("x", concat(a.toByteArray(),
        TensorProto.newBuilder().setTensorContent(floats(2).substring(4).concat(floats(1))).build().toByteArray()));
    assertSame(contentTwice, chunked(contentTwice), false);
    // an entry whose value comes twice (protobuf merges the two TensorProtos)
    byte[] valueTwice = withTensorTwice("x", a.toByteArray(), b.toByteArray());
    assertSame(valueTwice, chunked(valueTwice), false);
    // float_val unpacked, one tag per value (proto3 parsers accept it)
    byte[] unpacked = singleEntry("x", unpackedFloats());
    assertSame(unpacked, chunked(unpacked), false);
    // the same alias in two entries: handled, the last entry wins
    byte[] aliasTwice = concat(request("x", a), request("y", b), request("x", a.toBuilder()
        .setTensorContent(floats(3).substring(4)).build()));
    assertSame(aliasTwice, chunked(aliasTwice), true);
  }

  @Test
  void malformedBytesFailAsWithTheGeneratedParser() {
    byte[] wire = request("x", tensor(DataType.DT_FLOAT, 2).setTensorContent(floats(2)).build());
    for (int cut : new int[] {1, 5, wire.length - 1}) {
      byte[] truncated = java.util.Arrays.copyOf(wire, cut);
      StatusRuntimeException ours = assertThrows(StatusRuntimeException.class, () -> marshaller.parse(chunked(truncated)));
      StatusRuntimeException stock = assertThrows(StatusRuntimeException.class, () -> PredictionServiceGrpc
          .getPredictMethod().getRequestMarshaller().parse(new ByteArrayInputStream(truncated)));
      assertEquals(stock.getStatus().getCode(), ours.getStatus().getCode());
      assertEquals(stock.getStatus().getDescription(), ours.getStatus().getDescription());
    }
  }

  @Test
  void movedBytesAreReservedAndRefusedWhenTheBudgetIsFull() {
    MemoryBudget.install(new MemoryBudget(1 << 20));
    byte[] wire = request("x", tensor(DataType.DT_FLOAT, 512, 1024).setTensorContent(floats(512 * 1024)).build());
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> marshaller.parse(chunked(wire)));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
    try (IncomingPredict small = marshaller.parse(chunked(request("x", tensor(DataType.DT_FLOAT, 4)
        .setTensorContent(floats(4)).build())))) {
      assertEquals(16, MemoryBudget.process().used(), "the moved bytes are reserved");
    }
  }

  @Test
  void unclaimedDataIsFreedOnCloseAndClaimAfterCloseIsCancelled() {
    IncomingPredict parsed = marshaller.parse(chunked(request("x", tensor(DataType.DT_FLOAT, 4)
        .setTensorContent(floats(4)).build())));
    parsed.close();
    parsed.close();
    ServingException e = assertThrows(ServingException.class, parsed::claim);
    assertEquals(StatusCode.CANCELLED, e.code());
  }

  /** Parses {@code stream} both ways and compares request, tensors and errors; {@code moves}: data expected. */
  private void assertSame(byte[] wire, InputStream stream, boolean moves) {
    PredictRequest stock = PredictionServiceGrpc.getPredictMethod().getRequestMarshaller()
        .parse(new ByteArrayInputStream(wire));
    try (IncomingPredict parsed = marshaller.parse(stream)) {
      Map<String, WireTensorData> data = parsed.claim();
      try {
        assertEquals(moves, !data.isEmpty(), "data moved out");
        assertEquals(stock, PredictRequestMarshaller.reassembled(parsed.request(), data));
        assertEquals(stock.getUnknownFields(), parsed.request().getUnknownFields());
        for (String alias : stock.getInputsMap().keySet()) {
          assertSameTensor(alias, stock.getInputsOrThrow(alias), parsed.request().getInputsOrThrow(alias),
              data.get(alias));
        }
      } finally {
        data.values().forEach(WireTensorData::close);
      }
    }
  }

  private static void assertSameTensor(String alias, TensorProto whole, TensorProto header, WireTensorData data) {
    InputTensor expected = null;
    InputTensor actual = null;
    ServingException expectedError = null;
    ServingException actualError = null;
    try {
      try {
        expected = TensorProtoCodec.decode(alias, whole);
      } catch (ServingException e) {
        expectedError = e;
      }
      try {
        actual = TensorProtoCodec.decode(alias, header, data);
      } catch (ServingException e) {
        actualError = e;
      }
      if (expectedError != null) {
        assertNotNull(actualError, alias + " should fail with " + expectedError.getMessage());
        assertEquals(expectedError.code(), actualError.code(), alias);
        assertEquals(expectedError.getMessage(), actualError.getMessage(), alias);
        return;
      }
      assertNull(actualError, alias);
      assertEquals(expected.dtype(), actual.dtype(), alias);
      assertTrue(java.util.Arrays.equals(expected.shape(), actual.shape()), alias);
      assertEquals(expected.byteSize(), actual.byteSize(), alias);
      if (!expected.dtype().isString()) {
        assertEquals(expected.denseData(), actual.denseData(), alias + " bytes");
      }
    } finally {
      if (expected != null) {
        expected.close();
      }
      if (actual != null) {
        actual.close();
      }
    }
  }

  /** grpc-java's receive buffer: the message in 1 to 8 direct chunks cut at random points. */
  private InputStream chunked(byte[] wire) {
    CompositeReadableBuffer buffer = new CompositeReadableBuffer();
    int at = 0;
    int pieces = 1 + random.nextInt(8);
    for (int i = 0; i < pieces && at < wire.length; i++) {
      int end = i == pieces - 1 ? wire.length : at + random.nextInt(wire.length - at + 1);
      ByteBuffer direct = ByteBuffer.allocateDirect(end - at);
      direct.put(wire, at, end - at).flip();
      buffer.addBuffer(ReadableBuffers.wrap(direct));
      at = end;
    }
    if (at < wire.length) {
      buffer.addBuffer(ReadableBuffers.wrap(java.util.Arrays.copyOfRange(wire, at, wire.length)));
    }
    InputStream stream = ReadableBuffers.openStream(buffer, true);
    assertTrue(((io.grpc.HasByteBuffer) stream).byteBufferSupported());
    return stream;
  }

  private static byte[] request(String alias, TensorProto t) {
    return PredictRequest.newBuilder().putInputs(alias, t).build().toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** One inputs entry whose value field occurs twice (protobuf merges the two TensorProtos). */
  private static byte[] withTensorTwice(String alias, byte[] first, byte[] second) {
    return entry(alias, first, second);
  }

  private static byte[] singleEntry(String alias, byte[] tensor) {
    return entry(alias, tensor);
  }

  /** A PredictRequest of one inputs entry: the key, then each given TensorProto as a value field. */
  private static byte[] entry(String alias, byte[]... values) {
    try {
      ByteArrayOutputStream entry = new ByteArrayOutputStream();
      CodedOutputStream e = CodedOutputStream.newInstance(entry);
      e.writeString(1, alias);
      for (byte[] v : values) {
        e.writeByteArray(2, v);
      }
      e.flush();
      ByteArrayOutputStream message = new ByteArrayOutputStream();
      CodedOutputStream m = CodedOutputStream.newInstance(message);
      m.writeByteArray(2, entry.toByteArray());
      m.flush();
      return message.toByteArray();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A float TensorProto whose float_val is written unpacked (one tag per value). */
  private static byte[] unpackedFloats() {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      CodedOutputStream c = CodedOutputStream.newInstance(out);
      c.writeEnum(1, DataType.DT_FLOAT_VALUE);
      c.writeMessage(2, TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dim.newBuilder().setSize(2)).build());
      c.writeFloat(5, 1.5f);
      c.writeFloat(5, -2f);
      c.flush();
      return out.toByteArray();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
