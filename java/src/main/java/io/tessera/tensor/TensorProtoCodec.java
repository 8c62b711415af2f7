package io.tessera.tensor;

import com.google.protobuf.ByteString;
import io.tessera.proto.tf.TensorProto;
import io.tessera.proto.tf.TensorShapeProto;
import io.tessera.status.ServingException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * TensorProto ↔ tensors, with TensorFlow's own rules: {@code tensor_content} (packed
 * little-endian) wins when present; otherwise the typed {@code *_val} field is read, where fewer
 * values than elements repeat the last one, no values mean zeros and values beyond the shape are
 * ignored. What TensorFlow cannot parse is TF Serving's {@code "tensor parsing error: <alias>"}. Decoding writes straight
 * into the aligned native input buffer. Stateless.
 *
 * <p>Bounded before anything is allocated: the shape passes {@link Shapes#checkedElementCount}
 * (rank, overflow), and a <em>filled</em> tensor — typed values fewer than its elements, TF's
 * repeat-the-last-value quirk — may hold at most {@code max(MIN_FILL_BYTES, FILL_FACTOR × the
 * TensorProto's wire bytes)} ({@value #MIN_FILL_BYTES} bytes, {@value #FILL_FACTOR}×), counting
 * DT_STRING as its elements' bytes plus {@link TensorBuilder#STRING_ELEMENT_OVERHEAD} each;
 * beyond that it is INVALID_ARGUMENT. (Without the bound a 30-byte request could ask for
 * gigabytes.) Exactly filled fields expand at most 8× (a 1-byte varint to an int64) and
 * {@code tensor_content} not at all. What is then allocated is reserved on the memory budget by
 * {@link TensorBuilder}.
 */
public final class TensorProtoCodec {
  /** A filled tensor may always hold this many bytes, however small its proto. */
  public static final long MIN_FILL_BYTES = 1L << 20;
  /** ... and otherwise this many times its proto's wire size. */
  public static final int FILL_FACTOR = 16;

  private TensorProtoCodec() {}

  /**
   * Fails unless the proto's dtype is the one the signature declares for it ({@code declared}
   * null: a dtype Tessera cannot feed, left to TensorFlow). TensorFlow would refuse the mismatch
   * when running; this refuses it before decoding.
   */
  public static void checkDeclaredDtype(String alias, TensorProto proto, DataType declared) {
    if (declared != null && proto.getDtypeValue() != declared.number()) {
      DataType given = DataType.forNumber(proto.getDtypeValue());
      throw ServingException.invalidArgument("Expects input " + alias + " to be "
          + TypeNames.jsonName(declared) + " but " + (given == null ? proto.getDtype().name()
          : TypeNames.jsonName(given)) + " is provided");
    }
  }

  /** Decodes a request tensor; INVALID_ARGUMENT for malformed protos. Caller closes the result. */
  public static InputTensor decode(String alias, TensorProto proto) {
    return decode(alias, proto, null, true);
  }

  /**
   * The TensorProto as the client sent it (request logs): {@code stripped}, the proto a transport
   * passed with {@code sent}'s field left out, with that field put back from the first
   * {@code sent.size()} bytes of {@code decoded}, which are the values as sent (TensorFlow's fill
   * of a short typed field only appends). Valid while {@code decoded} is open.
   */
  public static TensorProto asSent(TensorProto stripped, WireTensorData sent, InputTensor decoded) {
    ByteBuffer bytes = decoded.denseData();
    bytes.limit(Math.toIntExact(Math.min(sent.size(), bytes.remaining())));
    TensorProto.Builder proto = stripped.toBuilder();
    switch (sent.field()) {
      case WireTensorData.FLOAT_VAL, WireTensorData.SCOMPLEX_VAL -> {
        java.nio.FloatBuffer values = bytes.asFloatBuffer();
        while (values.hasRemaining()) {
          if (sent.field() == WireTensorData.FLOAT_VAL) {
            proto.addFloatVal(values.get());
          } else {
            proto.addScomplexVal(values.get());
          }
        }
      }
      case WireTensorData.DOUBLE_VAL, WireTensorData.DCOMPLEX_VAL -> {
        java.nio.DoubleBuffer values = bytes.asDoubleBuffer();
        while (values.hasRemaining()) {
          if (sent.field() == WireTensorData.DOUBLE_VAL) {
            proto.addDoubleVal(values.get());
          } else {
            proto.addDcomplexVal(values.get());
          }
        }
      }
      default -> proto.setTensorContent(ByteString.copyFrom(bytes));
    }
    return proto.build();
  }

  /**
   * As {@link #decode(String, TensorProto)} for a proto whose {@code data.field()} a transport
   * moved into {@code data} ({@code proto} lacks that field; null = nothing moved): the same
   * tensor, or the same error, as decoding the whole proto. The data's buffer becomes the
   * tensor's when it holds exactly its elements; otherwise it stays the caller's to close.
   */
  public static InputTensor decode(String alias, TensorProto proto, WireTensorData data) {
    return decode(alias, proto, data, true);
  }

  /**
   * As {@link #decode(String, TensorProto)} without the fill bound, for the server's own data
   * (warmup records, which TF Serving replays however they were filled).
   */
  public static InputTensor decodeTrusted(String alias, TensorProto proto) {
    return decode(alias, proto, null, false);
  }

  private static InputTensor decode(String alias, TensorProto proto, WireTensorData data, boolean boundFill) {
    // What TensorFlow's Tensor::FromProto refuses is TF Serving's "tensor parsing error"
    // (saved_model/util.cc GetInputValues): an invalid shape (unknown rank, a negative dimension,
    // too many dimensions, too many elements), DT_INVALID or a number that is no dtype, and
    // tensor_content whose size does not fit the shape. Only a non-empty tensor's data is read.
    long[] shape = shapeOf(alias, proto.getTensorShape());
    long n;
    try {
      n = Shapes.checkedElementCount(shape);
    } catch (ServingException e) {
      throw parsingError(alias);
    }
    DataType dtype = DataType.forNumber(proto.getDtypeValue());
    if (dtype == null) {
      if (isNoDtype(proto)) {
        throw parsingError(alias);
      }
      throw ServingException.invalidArgument("input " + alias + ": unsupported dtype "
          + proto.getDtype() + " (" + proto.getDtypeValue() + ")");
    }
    long bytes;
    try {
      bytes = Shapes.checkedByteSize(dtype, n, shape);
    } catch (ServingException e) {
      throw parsingError(alias);
    }
    boolean movedContent = data != null && data.field() == WireTensorData.TENSOR_CONTENT;
    long contentSize = movedContent ? data.size() : proto.getTensorContent().size();
    boolean content = n > 0 && contentSize > 0 && !dtype.isString();
    if (content && contentSize != bytes) {
      throw parsingError(alias);
    }
    WireTensorData typed = data != null && data.typedValuesOf(dtype) ? data : null;
    // More typed values than elements: TensorFlow's FromProtoField reads the first n.
    long given = typed != null ? typed.size() / dtype.byteSize() : typedCount(proto, dtype);
    int values = content || n == 0 ? 0 : (int) Math.min(given, n);
    if (boundFill && !content && values < n) {
      checkFill(alias, proto, data == null ? proto.getSerializedSize() : data.protoWireSize(), dtype, n, values,
          shape);
    }
    if (content && movedContent) {
      return data.moveInto(dtype, shape, bytes);
    }
    if (!content && typed != null && values == n) {
      return typed.moveInto(dtype, shape, bytes);
    }
    try (TensorBuilder builder = TensorBuilder.create(dtype, dtype.isString() ? 0 : n)) {
      if (content) {
        builder.addRaw(proto.getTensorContent().asReadOnlyByteBuffer());
      } else if (typed != null && values > 0) {
        fillRepeated(typed.view(), dtype, n, values, builder);
      } else {
        fillTyped(proto, dtype, n, values, builder);
      }
      return builder.build(shape);
    }
  }

  /** The first {@code values} elements of {@code le} (0 < values < n), the last one repeated to n. */
  private static void fillRepeated(ByteBuffer le, DataType dtype, long n, int values, TensorBuilder b) {
    int width = dtype.byteSize();
    ByteBuffer one = le.duplicate().order(le.order());
    for (long i = 0; i < n; i++) {
      int at = (int) Math.min(i, values - 1) * width;
      b.addRaw(one.limit(at + width).position(at));
    }
  }

  private static ServingException parsingError(String alias) {
    return ServingException.invalidArgument("tensor parsing error: " + alias);
  }

  /** DT_INVALID, a *_REF number or one tensorflow.DataType does not know: no tensor has it. */
  private static boolean isNoDtype(TensorProto proto) {
    int number = proto.getDtypeValue();
    return number <= 0 || number >= 100 || proto.getDtype() == io.tessera.proto.tf.DataType.UNRECOGNIZED;
  }

  /** The fill bound of the class comment. */
  private static void checkFill(String alias, TensorProto p, int wireSize, DataType dtype, long n, int values,
      long[] shape) {
    long limit = Math.max(MIN_FILL_BYTES, (long) FILL_FACTOR * wireSize);
    long filled;
    if (dtype.isString()) {
      long perElement = TensorBuilder.STRING_ELEMENT_OVERHEAD
          + (values == 0 ? 0 : p.getStringVal(values - 1).size());
      filled = n > limit / perElement ? Long.MAX_VALUE : n * perElement;
    } else {
      filled = n * dtype.byteSize();
    }
    if (filled > limit) {
      throw ServingException.invalidArgument("input " + alias + ": " + values + " "
          + TypeNames.jsonName(dtype) + " values would be repeated to fill shape "
          + Shapes.debugString(shape) + (filled == Long.MAX_VALUE ? "" : " (" + filled + " bytes)")
          + ", more than the " + limit + " bytes a filled tensor may hold (max(" + MIN_FILL_BYTES
          + ", " + FILL_FACTOR + " x its " + wireSize + " bytes on the wire));"
          + " send all values, or tensor_content");
    }
  }

  private static void fillTyped(TensorProto p, DataType dtype, long n, int values, TensorBuilder b) {
    if (dtype.isString()) {
      byte[] last = new byte[0];
      for (long i = 0; i < n; i++) {
        if (i < values) {
          last = p.getStringVal((int) i).toByteArray(); // repeats share the last array
        }
        b.addBytes(last);
      }
      return;
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
      throw parsingError(alias);
    }
    long[] dims = new long[shape.getDimCount()];
    for (int i = 0; i < dims.length; i++) {
      dims[i] = shape.getDim(i).getSize();
      if (dims[i] < 0) {
        throw parsingError(alias);
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
