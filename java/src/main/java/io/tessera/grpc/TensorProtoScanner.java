package io.tessera.grpc;

import com.google.protobuf.InvalidProtocolBufferException;
import io.tessera.proto.tf.TensorProto;
import io.tessera.tensor.WireTensorData;
import java.io.ByteArrayOutputStream;

/**
 * Reads one TensorProto from {@link MessageBytes}, moving its first non-empty dense field
 * ({@link WireTensorData#carries}: {@code tensor_content} or a packed fixed-width typed field)
 * straight from the transport's buffers into aligned native memory; every other field is parsed by
 * the generated parser (unknown fields kept). Reusable by any request whose tensors are
 * TensorProtos. Stateless.
 *
 * <p>{@link MessageBytes.Unusual} for what it leaves to the generated parser of the whole message:
 * the moved field given twice (protobuf would keep the last {@code tensor_content}, or join packed
 * runs), an unpacked dense field, a packed run that is no whole number of elements, or anything
 * malformed.
 */
final class TensorProtoScanner {
  /** The proto without the moved field, and that field's bytes (null when none was moved). */
  record Scanned(TensorProto header, WireTensorData data) {}

  private TensorProtoScanner() {}

  /** Reads the TensorProto that occupies {@code bytes} up to {@code end}. */
  static Scanned scan(MessageBytes bytes, long end) throws MessageBytes.Unusual {
    int wireSize = Math.toIntExact(end - bytes.position());
    ByteArrayOutputStream header = new ByteArrayOutputStream(64);
    WireTensorData moved = null;
    try {
      while (bytes.position() < end) {
        int tag = bytes.readTag();
        int field = tag >>> 3;
        if (!WireTensorData.carries(field)) {
          bytes.copyField(tag, end, header);
          continue;
        }
        if ((tag & 7) != 2) {
          throw new MessageBytes.Unusual("unpacked field " + field);
        }
        long n = bytes.readLength(end);
        if (moved != null && moved.field() == field) {
          throw new MessageBytes.Unusual("field " + field + " given twice");
        }
        if (moved != null || n == 0 || n % elementWidth(field) != 0) {
          MessageBytes.writeVarint(header, tag);
          MessageBytes.writeVarint(header, n);
          bytes.copyTo(header, n);
        } else {
          moved = WireTensorData.allocate(field, n, wireSize);
          bytes.copyTo(moved.target(), n);
        }
      }
      if (bytes.position() != end) {
        throw new MessageBytes.Unusual("TensorProto overran its length");
      }
      Scanned scanned = new Scanned(TensorProto.parseFrom(header.toByteArray()), moved);
      moved = null;
      return scanned;
    } catch (InvalidProtocolBufferException e) {
      throw new MessageBytes.Unusual(e.getMessage());
    } finally {
      if (moved != null) {
        moved.close();
      }
    }
  }

  /** Wire bytes per value of a moved field (tensor_content: any length). */
  private static int elementWidth(int field) {
    return switch (field) {
      case WireTensorData.FLOAT_VAL, WireTensorData.SCOMPLEX_VAL -> 4;
      case WireTensorData.DOUBLE_VAL, WireTensorData.DCOMPLEX_VAL -> 8;
      default -> 1;
    };
  }
}
