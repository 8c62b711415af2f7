package io.tessera.servables.warmup;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * Reads TFRecord files: each record is {@code uint64 length, uint32 masked_crc32c(length),
 * bytes data, uint32 masked_crc32c(data)}, little-endian. Any framing or checksum error is an
 * {@link IOException} naming the byte offset. Not thread-safe; does not close the stream.
 */
public final class TFRecordReader {
  private static final int MASK_DELTA = 0xa282ead8;
  /** Refuse absurd lengths before allocating (a corrupt or non-TFRecord file). */
  private static final long MAX_RECORD_BYTES = 1L << 30;

  private final InputStream in;
  private long offset;

  public TFRecordReader(InputStream in) {
    this.in = in;
  }

  /** The next record's payload, or null at a clean end of file. */
  public byte[] next() throws IOException {
    byte[] header = new byte[12];
    int n = in.readNBytes(header, 0, header.length);
    if (n == 0) {
      return null;
    }
    long start = offset;
    if (n < header.length) {
      throw new IOException("truncated record header at offset " + start);
    }
    ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
    long length = h.getLong(0);
    if (h.getInt(8) != maskedCrc(header, 0, 8)) {
      throw new IOException("corrupted record at offset " + start + " (length checksum mismatch)");
    }
    if (length < 0 || length > MAX_RECORD_BYTES) {
      throw new IOException("record at offset " + start + " has an invalid length " + length);
    }
    byte[] data = in.readNBytes((int) length);
    byte[] footer = in.readNBytes(4);
    if (data.length < length || footer.length < 4) {
      throw new EOFException("truncated record at offset " + start);
    }
    if (ByteBuffer.wrap(footer).order(ByteOrder.LITTLE_ENDIAN).getInt() != maskedCrc(data, 0, data.length)) {
      throw new IOException("corrupted record at offset " + start + " (data checksum mismatch)");
    }
    offset += 12 + length + 4;
    return data;
  }

  /** TFRecord's masked CRC32C (the mask keeps CRCs of CRCs well distributed). */
  static int maskedCrc(byte[] data, int from, int length) {
    CRC32C crc = new CRC32C();
    crc.update(data, from, length);
    int c = (int) crc.getValue();
    return ((c >>> 15) | (c << 17)) + MASK_DELTA;
  }

  /** Frames one record (tests and tools that write warmup files). */
  public static byte[] frame(byte[] data) {
    ByteBuffer out = ByteBuffer.allocate(16 + data.length).order(ByteOrder.LITTLE_ENDIAN);
    byte[] length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(data.length).array();
    out.put(length).putInt(maskedCrc(length, 0, 8)).put(data).putInt(maskedCrc(data, 0, data.length));
    return out.array();
  }
}
