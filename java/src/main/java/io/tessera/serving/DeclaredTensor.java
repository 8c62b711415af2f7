package io.tessera.serving;

import io.tessera.tensor.DataType;
import io.tessera.tensor.InputTensor;
import io.tessera.tensor.SharedHostBuffer;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * One input whose dtype and shape the client declared (the Open Inference Protocol's
 * {@code datatype} and {@code shape}), in one of the forms a front end decodes it to. The
 * pipeline checks the declared dtype against the signature before it feeds anything (no
 * coercion), and takes a {@link Strings} tensor under an image model's image input as encoded
 * images.
 */
public sealed interface DeclaredTensor {
  DataType dtype();

  long[] shape();

  /**
   * Dense little-endian element bytes as they arrived (binary body, raw gRPC contents): the
   * pipeline checks their size against the shape and copies them once, into the aligned input
   * buffer. The buffer is read during the call only.
   *
   * <p>When the bytes already lie in a {@link SharedHostBuffer} ({@code host}, at
   * {@code hostOffset}; a binary REST body), a tensor starting on a 64-byte boundary is fed as a
   * view of that buffer instead (no copy); {@code host} is null otherwise.
   */
  record Raw(DataType dtype, long[] shape, ByteBuffer littleEndian, SharedHostBuffer host, long hostOffset)
      implements DeclaredTensor {
    public Raw(DataType dtype, long[] shape, ByteBuffer littleEndian) {
      this(dtype, shape, littleEndian, null, -1);
    }
  }

  /** String (BYTES) elements, row-major. */
  record Strings(long[] shape, List<byte[]> elements) implements DeclaredTensor {
    @Override
    public DataType dtype() {
      return DataType.DT_STRING;
    }
  }

  /**
   * Typed values the front end already wrote into an aligned buffer (JSON {@code data}, typed
   * gRPC contents); owned by the pipeline once the call is passed.
   */
  record Built(InputTensor tensor) implements DeclaredTensor {
    @Override
    public DataType dtype() {
      return tensor.dtype();
    }

    @Override
    public long[] shape() {
      return tensor.shape();
    }
  }
}
