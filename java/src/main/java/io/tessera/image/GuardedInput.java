package io.tessera.image;

import java.io.IOException;
import java.util.Objects;
import javax.imageio.stream.ImageInputStreamImpl;

/**
 * An in-memory ImageInputStream over the encoded bytes (never a temp file) whose bulk reads fail
 * once the {@link DecodeWatch} says the time is up: both ImageIO readers pull their input in
 * chunks while decoding (libjpeg 4 KiB at a time, the PNG inflater per IDAT buffer), so an
 * IOException here ends the decode. Single-byte reads (headers) are not checked.
 */
final class GuardedInput extends ImageInputStreamImpl {
  private final byte[] bytes;
  private final DecodeWatch watch;

  GuardedInput(byte[] bytes, DecodeWatch watch) {
    this.bytes = bytes;
    this.watch = watch;
  }

  @Override
  public int read() {
    bitOffset = 0;
    return streamPos < bytes.length ? bytes[(int) streamPos++] & 0xFF : -1;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (watch.expired()) {
      throw new IOException("decoding stopped: out of time");
    }
    bitOffset = 0;
    if (len == 0) {
      return 0;
    }
    if (streamPos >= bytes.length) {
      return -1;
    }
    int n = (int) Math.min(len, bytes.length - streamPos);
    System.arraycopy(bytes, (int) streamPos, b, off, n);
    streamPos += n;
    return n;
  }

  @Override
  public long length() {
    return bytes.length;
  }
}
