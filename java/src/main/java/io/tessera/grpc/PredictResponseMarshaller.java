package io.tessera.grpc;

import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * Writes {@link OutgoingPredict}s: grpc-java's framer drains the stream into its frame buffers
 * ({@link Drainable}), segment by segment, the output tensors straight from TensorFlow's memory;
 * right after that copy (the only one: grpc-java's framer takes bytes through an OutputStream,
 * so a direct view passes through a small reused staging array on its way) the run's outputs
 * are freed. A stream the transport closes without draining (the call was cancelled) frees them
 * too. Parsing (clients, tests) uses the generated parser. Thread-safe.
 */
final class PredictResponseMarshaller implements MethodDescriptor.Marshaller<OutgoingPredict> {
  private static final int STAGING = 16 << 10;
  private static final ThreadLocal<byte[]> STAGE = ThreadLocal.withInitial(() -> new byte[STAGING]);

  @Override
  public InputStream stream(OutgoingPredict value) {
    return new Writing(value);
  }

  /** Not used by the server (it only writes these); the generated parser for anyone else. */
  @Override
  public OutgoingPredict parse(InputStream stream) {
    throw new UnsupportedOperationException("server-side marshaller: parse PredictResponse with its parser");
  }

  /** One response's bytes, drained once; reading instead (no transport does) copies them to an array first. */
  private static final class Writing extends InputStream implements Drainable, KnownLength {
    private final OutgoingPredict message;
    private InputStream copied;
    private boolean drained;

    Writing(OutgoingPredict message) {
      this.message = message;
    }

    @Override
    public int drainTo(OutputStream target) throws IOException {
      if (drained || copied != null) {
        throw new IllegalStateException("already written");
      }
      drained = true;
      try {
        long written = 0;
        for (Object segment : message.segments()) {
          written += write(segment, target);
        }
        return Math.toIntExact(written);
      } finally {
        message.close();
      }
    }

    private static long write(Object segment, OutputStream target) throws IOException {
      if (segment instanceof byte[] bytes) {
        target.write(bytes);
        return bytes.length;
      }
      ByteBuffer view = ((ByteBuffer) segment).duplicate();
      int n = view.remaining();
      if (view.hasArray()) {
        target.write(view.array(), view.arrayOffset() + view.position(), n);
        return n;
      }
      byte[] stage = STAGE.get();
      while (view.hasRemaining()) {
        int k = Math.min(stage.length, view.remaining());
        view.get(stage, 0, k);
        target.write(stage, 0, k);
      }
      return n;
    }

    private InputStream copied() throws IOException {
      if (copied == null) {
        if (drained) {
          throw new IllegalStateException("already drained");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.toIntExact(message.size()));
        drainTo(out);
        drained = false;
        copied = new ByteArrayInputStream(out.toByteArray());
      }
      return copied;
    }

    @Override
    public int available() throws IOException {
      return copied != null ? copied.available() : drained ? 0 : Math.toIntExact(message.size());
    }

    @Override
    public int read() throws IOException {
      return copied().read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return copied().read(b, off, len);
    }

    /** The transport is done with the message: frees the outputs if draining did not. */
    @Override
    public void close() {
      message.close();
    }
  }
}
