package io.tessera.tensor;

import com.google.protobuf.ByteString;
import io.tessera.core.ServingException;
import io.tessera.proto.tf.TensorProto;
import io.tessera.proto.tf.TensorShapeProto;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * TensorProto ↔ tensors, with TensorFlow's own rules: {@code tensor_content} (packed
 * little-endian) wins when present; otherwise the typed {@code *_val} field is read, where fewer
 * values than elements repeat the last one and no values mean zeros. Decoding writes straight
 * into the aligned native input buffer. Stateless.
 */
public final class TensorProtoCodec {
  private TensorProtoCodec() {}

  /** Decodes a request tensor; INVALID_ARGUMENT for malformed protos. Caller closes the result. */
  public static InputTensor decode(String alias, TensorProto proto) {
    DataType dtype = DataType.forNumber(proto.getDtypeValue());
    if (dtype == null) {
      throw ServingException.invalidArgument("input " + alias + ": unsupported dtype "
          + proto.getDtype() + " (" + proto.getDtypeValue() + ")");
    }
    long[] shape = shapeOf(alias, proto.getTensorShape());
    long n = Shapes.elementCount(shape);
    try (TensorBuilder builder = TensorBuilder.create(dtype, n)) {
      if (!proto.getTensorContent().isEmpty() && !dtype.isString()) {
        ByteString content = proto.getTensorContent();
        if (content.size() != n * dtype.byteSize()) {
          throw ServingException.invalidArgument("input " + alias + ": tensor_content has "
              + content.size() + " bytes but " + dtype + Shapes.toString(shape) + " needs "
              + n * dtype.byteSize());
        }
        builder.addRaw(content.asReadOnlyByteBuffer());
      } else {
        fillTyped(alias, proto, dtype, n, builder);
      }
      return builder.build(shape);
    }
  }

  private static void fillTyped(String alias, TensorProto p, DataType dtype, long n, TensorBuilder b) {
    int values = typedCount(p, dtype);
    if (values > n) {
      throw ServingException.invalidArgument("input " + alias + ": " + values
          + " values do not fit a tensor of " + n + " elements");
    }
    for (long i = 0; i < n; i++) {
      int at = values == 0 ? -1 : (int) Math.min(i, values - 1);
      switch (dtype) {
        case DT_FLOAT -> b.addDouble(at < 0 ? 0 : p.getFloatVal(at));
        case DT_DOUBLE -> b.addDouble(at < 0 ? 0 : p.getDoubleVal(at));
        case DT_INT8, DT_UINT8, DT_INT16, DT_UINT16, DT_INT32 -> b.addLong(at < 0 ? 0 : p.getIntVal(at));
        case DT_INT64 -> b.addLong(at < 0 ? 0 : p.getInt64Val(at));
        case DT_UINT32 -> b.addLong(at < 0 ? 0 : p.getUint32Val(at));
        case DT_UINT64 -> b.addLong(at < 0 ? 0 : p.getUint64Val(at));
        case DT_BOOL -> b.addBool(at >= 0 && p.getBoolVal(at));
        case DT_HALF, DT_BFLOAT16 -> b.addRawShort((short) (at < 0 ? 0 : p.getHalfVal(at)));
        case DT_COMPLEX64 -> b.addComplex(at < 0 ? 0 : p.getScomplexVal(2 * at), at < 0 ? 0 : p.getScomplexVal(2 * at + 1));
        case DT_COMPLEX128 -> b.addComplex(at < 0 ? 0 : p.getDcomplexVal(2 * at), at < 0 ? 0 : p.getDcomplexVal(2 * at + 1));
        case DT_STRING -> b.addBytes(at < 0 ? new byte[0] : p.getStringVal(at).toByteArray());
      }
    }
  }

  private static int typedCount(TensorProto p, DataType dtype) {
    return switch (dtype) {
      case DT_FLOAT -> p.getFloatValCount();
      case DT_DOUBLE -> p.getDoubleValCount();
      case DT_INT8, DT_UINT8, DT_INT16, DT_UINT16, DT_INT32 -> p.getIntValCount();
      case DT_INT64 -> p.getInt64ValCount();
      case DT_UINT32 -> p.getUint32ValCount();
      case DT_UINT64 -> p.getUint64ValCount();
      case DT_BOOL -> p.getBoolValCount();
      case DT_HALF, DT_BFLOAT16 -> p.getHalfValCount();
      case DT_COMPLEX64 -> p.getScomplexValCount() / 2;
      case DT_COMPLEX128 -> p.getDcomplexValCount() / 2;
      case DT_STRING -> p.getStringValCount();
    };
  }

  private static long[] shapeOf(String alias, TensorShapeProto shape) {
    if (shape.getUnknownRank()) {
      throw ServingException.invalidArgument("input " + alias + ": tensor shape has unknown rank");
    }
    long[] dims = new long[shape.getDimCount()];
    for (int i = 0; i < dims.length; i++) {
      dims[i] = shape.getDim(i).getSize();
      if (dims[i] < 0) {
        throw ServingException.invalidArgument("input " + alias + ": negative dimension in shape");
      }
    }
    return dims;
  }

  /**
   * Encodes a fetched tensor. {@code asContent} packs dense data into tensor_content
   * (--enable_serialization_as_tensor_content); otherwise the typed *_val field is used, as TF
   * Serving does by default. Strings always use string_val.
   */
  public static TensorProto encode(OutputTensor t, boolean asContent) {
    TensorProto.Builder p = TensorProto.newBuilder().setDtypeValue(t.dtype().number());
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (long d : t.shape()) {
      shape.addDimBuilder().setSize(d);
    }
    p.setTensorShape(shape);
    long n = t.elementCount();
    if (asContent && !t.dtype().isString()) {
      return p.setTensorContent(ByteString.copyFrom(t.data())).build();
    }
    ByteBuffer data = t.dtype().isString() ? null : t.data();
    switch (t.dtype()) {
      case DT_FLOAT -> {
        for (long i = 0; i < n; i++) {
          p.addFloatVal(t.getFloat(i));
        }
      }
      case DT_DOUBLE -> {
        for (long i = 0; i < n; i++) {
          p.addDoubleVal(t.getDouble(i));
        }
      }
      case DT_INT8, DT_UINT8, DT_INT16, DT_UINT16, DT_INT32 -> {
        for (long i = 0; i < n; i++) {
          p.addIntVal((int) t.getLong(i));
        }
      }
      case DT_INT64 -> {
        for (long i = 0; i < n; i++) {
          p.addInt64Val(t.getLong(i));
        }
      }
      case DT_UINT32 -> {
        for (long i = 0; i < n; i++) {
          p.addUint32Val((int) t.getLong(i));
        }
      }
      case DT_UINT64 -> {
        for (long i = 0; i < n; i++) {
          p.addUint64Val(t.getLong(i));
        }
      }
      case DT_BOOL -> {
        for (long i = 0; i < n; i++) {
          p.addBoolVal(t.getLong(i) != 0);
        }
      }
      case DT_HALF, DT_BFLOAT16 -> {
        for (long i = 0; i < n; i++) {
          p.addHalfVal(data.getShort(Math.toIntExact(i * 2)) & 0xffff);
        }
      }
      case DT_COMPLEX64 -> {
        for (long i = 0; i < 2 * n; i++) {
          p.addScomplexVal(t.getFloat(i));
        }
      }
      case DT_COMPLEX128 -> {
        for (long i = 0; i < 2 * n; i++) {
          p.addDcomplexVal(t.getDouble(i));
        }
      }
      case DT_STRING -> {
        List<ByteString> strings = new ArrayList<>();
        for (long i = 0; i < n; i++) {
          strings.add(ByteString.copyFrom(t.getString(i)));
        }
        p.addAllStringVal(strings);
      }
    }
    return p.build();
  }
}
