package io.tessera.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.HasByteBuffer;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.tessera.proto.serving.PredictRequest;
import io.tessera.proto.serving.PredictionServiceGrpc;
import io.tessera.proto.tf.TensorProto;
import io.tessera.status.ServingException;
import io.tessera.tensor.WireTensorData;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parses {@code PredictRequest}s from grpc-java's receive buffers without a ByteString of any
 * tensor: each input's {@code tensor_content} (or packed {@code float_val}, ...) is copied once,
 * from the transport's buffers ({@link HasByteBuffer} views, kept alive by a mark) into the
 * aligned native buffer TensorFlow will be fed ({@link TensorProtoScanner}); the rest of the
 * message goes through the generated parser (unknown fields kept). A stream without buffer views
 * (a compressed message) is read into one array first. A message the scanner does not handle
 * ({@link MessageBytes.Unusual}) is parsed by the generated marshaller, which then also reports
 * malformed bytes as it always did.
 *
 * <p>The moved bytes are reserved on the memory budget as input tensors; when they do not fit the
 * call fails with RESOURCE_EXHAUSTED. A parsed request is closed when its call ends ({@link
 * RequestBudget#closeWhenCallEnds}) unless the service claimed its data first. Thread-safe.
 */
final class PredictRequestMarshaller implements MethodDescriptor.Marshaller<IncomingPredict> {
  private static final int INPUTS_TAG = 2 << 3 | 2;
  private static final int ENTRY_KEY_TAG = 1 << 3 | 2;
  private static final int ENTRY_VALUE_TAG = 2 << 3 | 2;

  private final MethodDescriptor.Marshaller<PredictRequest> generated =
      PredictionServiceGrpc.getPredictMethod().getRequestMarshaller();

  /** The whole request, moved data put back (clients and tests; the server only parses). */
  @Override
  public InputStream stream(IncomingPredict value) {
    return generated.stream(value.request());
  }

  @Override
  public IncomingPredict parse(InputStream stream) {
    byte[] message = null;
    MessageBytes bytes;
    boolean views = stream instanceof HasByteBuffer h && h.byteBufferSupported() && stream.markSupported();
    try {
      if (views) {
        stream.mark(Integer.MAX_VALUE);
        bytes = MessageBytes.viewsOf(stream);
      } else {
        message = stream.readAllBytes();  // a budget refusal propagates as RequestBudget expects
        bytes = MessageBytes.of(ByteBuffer.wrap(message));
      }
    } catch (IOException e) {
      throw Status.INTERNAL.withDescription("Invalid protobuf byte sequence").withCause(e).asRuntimeException();
    }
    IncomingPredict scanned;
    try {
      scanned = scan(bytes);
    } catch (ServingException e) {  // the moved data did not fit the memory budget
      throw GrpcStatuses.toStatus(e).asRuntimeException();
    }
    if (scanned != null) {
      return RequestBudget.closeWhenCallEnds(scanned);
    }
    InputStream again = views ? rewound(stream) : new ByteArrayInputStream(message);
    return new IncomingPredict(generated.parse(again), Map.of());
  }

  private static InputStream rewound(InputStream stream) {
    try {
      stream.reset();
      return stream;
    } catch (IOException e) {
      throw Status.INTERNAL.withDescription("Invalid protobuf byte sequence").withCause(e).asRuntimeException();
    }
  }

  /** The request with its data moved out, or null when the generated parser must parse it. */
  static IncomingPredict scan(MessageBytes bytes) {
    Map<String, TensorProto> inputs = new LinkedHashMap<>();
    Map<String, WireTensorData> data = new HashMap<>();
    ByteArrayOutputStream rest = new ByteArrayOutputStream(128);
    boolean kept = false;
    try {
      long end = bytes.length();
      while (!bytes.atEnd()) {
        int tag = bytes.readTag();
        if (tag == INPUTS_TAG) {
          long n = bytes.readLength(end);
          entry(bytes, bytes.position() + n, inputs, data);
        } else {
          bytes.copyField(tag, end, rest);
        }
      }
      PredictRequest request = PredictRequest.parseFrom(rest.toByteArray()).toBuilder().putAllInputs(inputs).build();
      IncomingPredict parsed = new IncomingPredict(request, data);
      kept = true;
      return parsed;
    } catch (MessageBytes.Unusual | InvalidProtocolBufferException e) {
      return null;
    } finally {
      if (!kept) {
        data.values().forEach(WireTensorData::close);
      }
    }
  }

  /** One map entry (key 1, value 2; other fields skipped, as protobuf's map parser does). */
  private static void entry(MessageBytes bytes, long end, Map<String, TensorProto> inputs,
      Map<String, WireTensorData> data) throws MessageBytes.Unusual {
    String key = "";
    TensorProtoScanner.Scanned value = null;
    try {
      while (bytes.position() < end) {
        int tag = bytes.readTag();
        if (tag == ENTRY_KEY_TAG) {
          byte[] utf8 = bytes.readBytes(Math.toIntExact(bytes.readLength(end)));
          if (!UnsafeByteOperations.unsafeWrap(utf8).isValidUtf8()) {
            throw new MessageBytes.Unusual("key is not UTF-8");
          }
          key = new String(utf8, StandardCharsets.UTF_8);
        } else if (tag == ENTRY_VALUE_TAG) {
          if (value != null) {
            throw new MessageBytes.Unusual("value given twice (merged by protobuf)");
          }
          long n = bytes.readLength(end);
          value = TensorProtoScanner.scan(bytes, bytes.position() + n);
        } else {
          bytes.skipValue(tag, end);
        }
      }
      if (bytes.position() != end) {
        throw new MessageBytes.Unusual("map entry overran its length");
      }
    } catch (MessageBytes.Unusual e) {
      if (value != null && value.data() != null) {
        value.data().close();
      }
      throw e;
    }
    WireTensorData moved = value == null ? null : value.data();
    WireTensorData replaced = moved == null ? data.remove(key) : data.put(key, moved);
    if (replaced != null) {
      replaced.close();  // a later entry for the same key wins, as in protobuf
    }
    inputs.put(key, value == null ? TensorProto.getDefaultInstance() : value.header());
  }

  /** {@code request} with {@code data} put back into its tensors (tests compare with the generated parser). */
  static PredictRequest reassembled(PredictRequest request, Map<String, WireTensorData> data) {
    PredictRequest.Builder b = request.toBuilder();
    data.forEach((alias, d) -> {
      TensorProto.Builder t = request.getInputsOrThrow(alias).toBuilder();
      ByteString bytes = ByteString.copyFrom(d.target());
      TensorProto withField;
      try {
        ByteArrayOutputStream field = new ByteArrayOutputStream();
        MessageBytes.writeVarint(field, d.field() << 3 | 2);
        MessageBytes.writeVarint(field, d.size());
        bytes.writeTo(field);
        withField = t.mergeFrom(field.toByteArray()).build();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
      b.putInputs(alias, withField);
    });
    return b.build();
  }
}
