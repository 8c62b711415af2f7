package io.tessera.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.tessera.admission.MemoryBudget;
import io.tessera.proto.tf.TensorProto;
import io.tessera.proto.tf.TensorShapeProto;
import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Bounded decoding: shape checks, the fill bound, strings, and the memory budget. */
class TensorProtoCodecTest {
  @AfterEach
  void unlimitedBudget() {
    MemoryBudget.install(new MemoryBudget(Long.MAX_VALUE));
  }

  private static TensorProto.Builder tensor(io.tessera.proto.tf.DataType dtype, long... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (long d : dims) {
      shape.addDimBuilder().setSize(d);
    }
    return TensorProto.newBuilder().setDtype(dtype).setTensorShape(shape);
  }

  private static ServingException fails(TensorProto p) {
    return assertThrows(ServingException.class, () -> TensorProtoCodec.decode("x", p).close());
  }

  @Test
  void fillsAsTensorFlowWithinTheBound() {
    // 1 MiB of floats from one value: allowed (MIN_FILL_BYTES), TF's repeat-the-last-value quirk.
    TensorProto p = tensor(io.tessera.proto.tf.DataType.DT_FLOAT, 1 << 18).addFloatVal(1.5f).build();
    try (InputTensor t = TensorProtoCodec.decode("x", p)) {
      assertEquals(1L << 20, t.byteSize());
    }
    // Exactly as many values as elements: never bounded by the fill rule.
    TensorProto full = tensor(io.tessera.proto.tf.DataType.DT_FLOAT, 3).addFloatVal(1).addFloatVal(2)
        .addFloatVal(3).build();
    try (InputTensor t = TensorProtoCodec.decode("x", full)) {
      assertEquals(12, t.byteSize());
    }
  }

  @Test
  void fillBeyondTheFactorIsInvalidArgument() {
    TensorProto p = tensor(io.tessera.proto.tf.DataType.DT_FLOAT, 1L << 27).addFloatVal(1).build();
    long started = System.nanoTime();
    ServingException e = fails(p);
    assertEquals(StatusCode.INVALID_ARGUMENT, e.code());
    assertTrue(e.getMessage().startsWith("input x: 1 float values would be repeated to fill shape [134217728]"),
        e.getMessage());
    assertTrue(System.nanoTime() - started < 1_000_000_000L, "refused before filling");
    // No values at all (zeros) is a fill too: 2^31 and 2^40 elements.
    assertEquals(StatusCode.INVALID_ARGUMENT, fails(tensor(io.tessera.proto.tf.DataType.DT_FLOAT, 1L << 31).build()).code());
    assertEquals(StatusCode.INVALID_ARGUMENT, fails(tensor(io.tessera.proto.tf.DataType.DT_INT8, 1L << 20, 1L << 20).build()).code());
  }

  @Test
  void trustedDataIsNotFillBounded() {
    TensorProto p = tensor(io.tessera.proto.tf.DataType.DT_FLOAT, 1 << 20).addFloatVal(1).build();
    assertEquals(StatusCode.INVALID_ARGUMENT, fails(p).code());
    try (InputTensor t = TensorProtoCodec.decodeTrusted("x", p)) {
      assertEquals(4L << 20, t.byteSize());
    }
  }

  /**
   * What TensorFlow's Tensor::FromProto cannot parse is TF Serving's "tensor parsing error:
   * <alias>" (tensorflow/cc/saved_model/util.cc GetInputValues): shapes TensorShape::IsValid
   * refuses, DT_INVALID / no dtype, tensor_content of the wrong size.
   */
  @Test
  void whatTensorFlowCannotParseIsATensorParsingError() {
    long[] dims = new long[300];
    java.util.Arrays.fill(dims, 1);
    TensorProto unknownRank = TensorProto.newBuilder().setDtype(io.tessera.proto.tf.DataType.DT_FLOAT)
        .setTensorShape(TensorShapeProto.newBuilder().setUnknownRank(true)).addFloatVal(1).build();
    for (TensorProto p : List.of(tensor(io.tessera.proto.tf.DataType.DT_FLOAT, 1L << 62, 1L << 62).build(),
        tensor(io.tessera.proto.tf.DataType.DT_FLOAT, dims).build(),
        tensor(io.tessera.proto.tf.DataType.DT_FLOAT, 2, -1).build(),
        unknownRank,
        tensor(io.tessera.proto.tf.DataType.DT_INVALID, 1).addFloatVal(1).build(),
        tensor(io.tessera.proto.tf.DataType.DT_FLOAT_REF, 1).addFloatVal(1).build(),
        tensor(io.tessera.proto.tf.DataType.DT_FLOAT, 1).setDtypeValue(77).addFloatVal(1).build(),
        tensor(io.tessera.proto.tf.DataType.DT_FLOAT, 3).setTensorContent(ByteString.copyFrom(new byte[8])).build(),
        tensor(io.tessera.proto.tf.DataType.DT_COMPLEX128, 1L << 60).build())) {
      ServingException e = fails(p);
      assertEquals(StatusCode.INVALID_ARGUMENT, e.code());
      assertEquals("tensor parsing error: x", e.getMessage(), p.toString());
    }
  }

  @Test
  void valuesBeyondTheShapeAreIgnoredAndEmptyTensorsReadNoData() {
    // FromProtoField copies the first n typed values; a tensor of 0 elements reads no data at all.
    TensorProto more = tensor(io.tessera.proto.tf.DataType.DT_FLOAT, 2).addFloatVal(1).addFloatVal(2)
        .addFloatVal(3).build();
    try (InputTensor t = TensorProtoCodec.decode("x", more)) {
      assertEquals(8, t.byteSize());
    }
    TensorProto empty = tensor(io.tessera.proto.tf.DataType.DT_FLOAT, 0, 3)
        .setTensorContent(ByteString.copyFrom(new byte[5])).build();
    try (InputTensor t = TensorProtoCodec.decode("x", empty)) {
      assertEquals(0, t.byteSize());
    }
  }

  @Test
  void repeatedStringsAreBoundedByBytesAndCount() {
    // [2^28] from one string: refused at once, no byte[] per element.
    TensorProto bomb = tensor(io.tessera.proto.tf.DataType.DT_STRING, 1L << 28)
        .addStringVal(ByteString.copyFromUtf8("abc")).build();
    long started = System.nanoTime();
    assertEquals(StatusCode.INVALID_ARGUMENT, fails(bomb).code());
    assertTrue(System.nanoTime() - started < 1_000_000_000L);
    // A long string repeated a few times: counted by bytes (3 x 1 MiB > max(1 MiB, 16 x 1 MiB)? no: fits).
    ByteString mib = ByteString.copyFrom(new byte[1 << 20]);
    try (InputTensor t = TensorProtoCodec.decode("x", tensor(io.tessera.proto.tf.DataType.DT_STRING, 3)
        .addStringVal(mib).build())) {
      assertEquals(3L << 20, t.byteSize());
    }
    // ... but 17 copies of it exceed 16 x its wire size.
    assertEquals(StatusCode.INVALID_ARGUMENT,
        fails(tensor(io.tessera.proto.tf.DataType.DT_STRING, 17).addStringVal(mib).build()).code());
  }

  @Test
  void decodedBytesAreReservedAndReleased() {
    MemoryBudget budget = new MemoryBudget(1 << 20);
    MemoryBudget.install(budget);
    TensorProto p = tensor(io.tessera.proto.tf.DataType.DT_FLOAT, 1000).addFloatVal(2).build();
    try (InputTensor t = TensorProtoCodec.decode("x", p)) {
      assertEquals(4000, budget.used());
    }
    assertEquals(0, budget.used());
    TensorProto big = tensor(io.tessera.proto.tf.DataType.DT_UINT8, 2 << 20)
        .setTensorContent(ByteString.copyFrom(new byte[2 << 20])).build();
    assertEquals(StatusCode.RESOURCE_EXHAUSTED, fails(big).code());
    assertEquals(0, budget.used(), "nothing held after a refusal");
    TensorProto strings = tensor(io.tessera.proto.tf.DataType.DT_STRING, 2)
        .addStringVal(ByteString.copyFromUtf8("ab")).addStringVal(ByteString.copyFromUtf8("cde")).build();
    try (InputTensor t = TensorProtoCodec.decode("x", strings)) {
      assertEquals(5 + 2 * TensorBuilder.STRING_ELEMENT_OVERHEAD, budget.used());
    }
    assertEquals(0, budget.used());
  }

  @Test
  void declaredDtypeIsChecked() {
    TensorProto p = tensor(io.tessera.proto.tf.DataType.DT_DOUBLE, 1).addDoubleVal(1).build();
    TensorProtoCodec.checkDeclaredDtype("x", p, DataType.DT_DOUBLE);
    TensorProtoCodec.checkDeclaredDtype("x", p, null);
    ServingException e = assertThrows(ServingException.class,
        () -> TensorProtoCodec.checkDeclaredDtype("x", p, DataType.DT_FLOAT));
    assertEquals("Expects input x to be float but double is provided", e.getMessage());
  }
}
