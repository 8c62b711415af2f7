package io.tessera.v2;

import io.tessera.status.ServingException;
import io.tessera.tensor.OutputTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The protocol's raw tensor layout (binary tensor data, gRPC raw contents): dense types are
 * their little-endian elements, row-major; a BYTES element is a 4-byte little-endian length
 * followed by its bytes. Pure.
 */
public final class RawBytes {
  private RawBytes() {}

  /**
   * Splits raw BYTES data into its elements (copied).
   *
   * @throws ServingException INVALID_ARGUMENT when a length runs past the data
   */
  public static List<byte[]> strings(ByteBuffer raw, String input) {
    ByteBuffer in = raw.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    List<byte[]> elements = new ArrayList<>();
    while (in.hasRemaining()) {
      if (in.remaining() < 4) {
        throw ServingException.invalidArgument("incomplete string length for inference input '" + input + "'");
      }
      long length = in.getInt() & 0xffffffffL;
      if (length > in.remaining()) {
        throw ServingException.invalidArgument("string length " + length + " of an element of inference input '"
            + input + "' exceeds the " + in.remaining() + " bytes left");
      }
      byte[] element = new byte[(int) length];
      in.get(element);
      elements.add(element);
    }
    return elements;
  }

  /** Bytes {@link #write} writes for this tensor. */
  public static long size(ResultTensor t) {
    if (t instanceof ResultTensor.Tensor dense && !dense.tensor().dtype().isString()) {
      return dense.tensor().data().remaining();
    }
    long size = 0;
    for (byte[] s : elements(t)) {
      size += 4 + s.length;
    }
    return size;
  }

  /** The raw layout of {@code t}, as one buffer (the dense case is a view, not a copy). */
  public static ByteBuffer of(ResultTensor t) {
    if (t instanceof ResultTensor.Tensor dense && !dense.tensor().dtype().isString()) {
      return dense.tensor().data();
    }
    List<byte[]> strings = elements(t);
    long size = 0;
    for (byte[] s : strings) {
      size += 4 + s.length;
    }
    ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(size)).order(ByteOrder.LITTLE_ENDIAN);
    for (byte[] s : strings) {
      out.putInt(s.length).put(s);
    }
    return out.flip();
  }

  /** The string elements of a BYTES result (copied out of TensorFlow's memory). */
  public static List<byte[]> elements(ResultTensor t) {
    if (t instanceof ResultTensor.Classes classes) {
      return classes.strings();
    }
    OutputTensor tensor = ((ResultTensor.Tensor) t).tensor();
    long n = tensor.elementCount();
    List<byte[]> strings = new ArrayList<>(Math.toIntExact(n));
    for (long i = 0; i < n; i++) {
      strings.add(tensor.getString(i));
    }
    return strings;
  }
}
