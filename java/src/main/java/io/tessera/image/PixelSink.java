package io.tessera.image;

import io.tessera.tensor.DataType;
import io.tessera.tensor.TensorBuilder;
import java.nio.ByteBuffer;

/**
 * Receives a tensor's values in row-major order and stores them as its dtype: DT_FLOAT as is,
 * DT_UINT8 rounded to the nearest integer and clamped to [0, 255]. Confined to one thread.
 */
@FunctionalInterface
public interface PixelSink {
  void put(float value);

  /** Appends to {@code builder} (DT_FLOAT or DT_UINT8), which owns the aligned native buffer. */
  static PixelSink into(TensorBuilder builder) {
    return switch (builder.dtype()) {
      case DT_FLOAT -> builder::addDouble;
      case DT_UINT8 -> v -> builder.addLong(toUint8(v));
      default -> throw new IllegalArgumentException("image tensors are DT_FLOAT or DT_UINT8, not " + builder.dtype());
    };
  }

  /** Writes at the position of {@code littleEndian} (a slice of the tensor's buffer), advancing it. */
  static PixelSink into(ByteBuffer littleEndian, DataType dtype) {
    return switch (dtype) {
      case DT_FLOAT -> littleEndian::putFloat;
      case DT_UINT8 -> v -> littleEndian.put((byte) toUint8(v));
      default -> throw new IllegalArgumentException("image tensors are DT_FLOAT or DT_UINT8, not " + dtype);
    };
  }

  static int toUint8(float v) {
    return v >= 255f ? 255 : v <= 0f ? 0 : Math.round(v);
  }
}
