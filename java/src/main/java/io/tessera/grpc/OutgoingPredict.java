package io.tessera.grpc;

import io.tessera.proto.serving.ModelSpec;
import io.tessera.proto.tf.TensorProto;
import io.tessera.proto.tf.TensorShapeProto;
import io.tessera.tensor.DataType;
import io.tessera.tensor.OutputTensor;
import io.tessera.tensor.TensorProtoCodec;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A Predict response laid out for writing straight from TensorFlow's output buffers: the wire
 * bytes of a {@code PredictResponse} as a list of segments, small heap arrays (map entry and
 * TensorProto headers, the model spec) and views of the outputs' memory for each dense value
 * field ({@code tensor_content}, or the packed {@code float_val}/{@code double_val}/complex
 * fields, whose wire bytes are the elements themselves). Other dtypes (varint fields, strings)
 * are encoded by {@link TensorProtoCodec}. The bytes are the generated serializer's for the same
 * message (fields in number order, outputs in run order).
 *
 * <p>Owns the run's outputs (a kept {@link io.tessera.serving.Predicted} handle) until
 * {@link #close()}, which frees them once, whichever thread and path gets there first: the
 * marshaller's stream after the transport has copied the bytes, its close when the transport
 * drops the message (a cancelled call), or the service when it could not send.
 */
final class OutgoingPredict implements AutoCloseable {
  private static final int OUTPUTS_TAG = 1 << 3 | 2;
  private static final int MODEL_SPEC_TAG = 2 << 3 | 2;
  private static final int KEY_TAG = 1 << 3 | 2;
  private static final int VALUE_TAG = 2 << 3 | 2;

  /** The message in order: byte[] or a ByteBuffer view of output memory. */
  private final List<Object> segments = new ArrayList<>();
  private final long size;
  private final AutoCloseable outputs;
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * @param outputs frees {@code tensors}' memory; owned from here on (closed if this throws)
   * @param asContent --enable_serialization_as_tensor_content
   */
  OutgoingPredict(ModelSpec spec, List<OutputTensor> tensors, boolean asContent, AutoCloseable outputs) {
    this.outputs = outputs;
    try {
      long total = 0;
      for (OutputTensor t : tensors) {
        total += addOutput(t, asContent);
      }
      byte[] specBytes = spec.toByteArray();
      ByteArrayOutputStream tail = new ByteArrayOutputStream(specBytes.length + 6);
      MessageBytes.writeVarint(tail, MODEL_SPEC_TAG);
      MessageBytes.writeVarint(tail, specBytes.length);
      tail.writeBytes(specBytes);
      segments.add(tail.toByteArray());
      this.size = total + tail.size();
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** Appends one map entry; returns its wire bytes. */
  private long addOutput(OutputTensor t, boolean asContent) {
    int valueField = denseField(t.dtype(), asContent);
    byte[] key = t.alias().getBytes(StandardCharsets.UTF_8);
    byte[] proto;
    ByteBuffer values = null;
    if (valueField == 0) {
      proto = TensorProtoCodec.encode(t, asContent).toByteArray();
    } else {
      proto = header(t);
      long bytes = t.elementCount() * t.dtype().byteSize();
      values = bytes == 0 ? null : t.data().limit(Math.toIntExact(bytes));
    }
    long valueBytes = values == null ? 0 : values.remaining();
    long tensorSize = proto.length + (values == null ? 0 : varintSize(valueField << 3 | 2)
        + varintSize(valueBytes) + valueBytes);
    long entrySize = 1 + varintSize(key.length) + key.length + 1 + varintSize(tensorSize) + tensorSize;
    ByteArrayOutputStream head = new ByteArrayOutputStream(32 + key.length + proto.length);
    MessageBytes.writeVarint(head, OUTPUTS_TAG);
    MessageBytes.writeVarint(head, entrySize);
    MessageBytes.writeVarint(head, KEY_TAG);
    MessageBytes.writeVarint(head, key.length);
    head.writeBytes(key);
    MessageBytes.writeVarint(head, VALUE_TAG);
    MessageBytes.writeVarint(head, tensorSize);
    head.writeBytes(proto);
    if (values != null) {
      MessageBytes.writeVarint(head, valueField << 3 | 2);
      MessageBytes.writeVarint(head, valueBytes);
    }
    segments.add(head.toByteArray());
    if (values != null) {
      segments.add(values);
    }
    return varintSize(OUTPUTS_TAG) + varintSize(entrySize) + entrySize;
  }

  /** The TensorProto field whose wire bytes are {@code dtype}'s elements as stored; 0 = none. */
  private static int denseField(DataType dtype, boolean asContent) {
    if (dtype.isString()) {
      return 0;
    }
    if (asContent) {
      return 4;
    }
    return switch (dtype) {
      case DT_FLOAT -> 5;
      case DT_DOUBLE -> 6;
      case DT_COMPLEX64 -> 9;
      case DT_COMPLEX128 -> 12;
      default -> 0;
    };
  }

  /** dtype and shape, the fields numbered below every value field. */
  private static byte[] header(OutputTensor t) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (long d : t.shape()) {
      shape.addDimBuilder().setSize(d);
    }
    return TensorProto.newBuilder().setDtypeValue(t.dtype().number()).setTensorShape(shape).build().toByteArray();
  }

  private static int varintSize(long v) {
    int n = 1;
    while ((v & ~0x7fL) != 0) {
      v >>>= 7;
      n++;
    }
    return n;
  }

  /** Wire size of the whole message. */
  long size() {
    return size;
  }

  /** The segments, in order (valid until {@link #close()}). */
  List<Object> segments() {
    return segments;
  }

  /** Frees the outputs; only the first call does anything. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        outputs.close();
      } catch (Exception e) {
        throw new IllegalStateException("freeing the outputs failed", e);
      }
    }
  }

  boolean isClosed() {
    return closed.get();
  }
}
