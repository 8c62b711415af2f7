package io.tessera.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** Crafted hostile images (and the big legitimate ones they are made from), built in memory. */
public final class ImageBombs {
  private ImageBombs() {}

  /** {@link #gradientJpeg} in progressive mode (libjpeg's 10-scan script). */
  public static byte[] progressiveJpeg(int width, int height) {
    return gradientJpeg(width, height, true);
  }

  /**
   * A JPEG, written by ImageIO, of a colour gradient that is constant within each 16x16 MCU: no
   * AC coefficients, so it compresses to a few hundred KB however large, and a progressive one's
   * last scan (an AC refinement) to a few bytes, yet every scan still costs the decoder a full pass.
   */
  public static byte[] gradientJpeg(int width, int height, boolean progressive) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
    byte[] bgr = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
    for (int y = 0, o = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        bgr[o++] = (byte) 128;
        bgr[o++] = (byte) ((y & ~15) * 255L / height);
        bgr[o++] = (byte) ((x & ~15) * 255L / width);
      }
    }
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
      writer.setOutput(stream);
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setProgressiveMode(progressive ? ImageWriteParam.MODE_DEFAULT : ImageWriteParam.MODE_DISABLED);
      writer.write(null, new IIOImage(image, null, null), param);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      writer.dispose();
    }
    return out.toByteArray();
  }

  /** {@code jpeg} with {@code copies} more copies of its last scan (SOS to EOI) inserted before EOI. */
  public static byte[] duplicateLastScan(byte[] jpeg, int copies) {
    int eoi = jpeg.length - 2;
    if ((jpeg[eoi] & 0xFF) != 0xFF || (jpeg[eoi + 1] & 0xFF) != 0xD9) {
      throw new IllegalArgumentException("the JPEG does not end with EOI");
    }
    int lastSos = -1;
    for (int i = 0; i + 1 < eoi; i++) {
      // In entropy-coded data 0xFF is followed by 0x00 or RSTn, so this finds markers only.
      if ((jpeg[i] & 0xFF) == 0xFF && (jpeg[i + 1] & 0xFF) == 0xDA) {
        lastSos = i;
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(jpeg.length + copies * (eoi - lastSos));
    out.write(jpeg, 0, eoi);
    for (int i = 0; i < copies; i++) {
      out.write(jpeg, lastSos, eoi - lastSos);
    }
    out.write(jpeg, eoi, 2);
    return out.toByteArray();
  }

  /**
   * A valid PNG of all-zero rows (filter 0): IHDR, one IDAT of the zlib-compressed rows (streamed,
   * never held uncompressed), IEND, with CRCs.
   *
   * @param colorType 0 gray, 2 RGB, 3 palette, 4 gray + alpha, 6 RGBA (3 also writes a PLTE)
   */
  public static byte[] zeroPng(int width, int height, int bitDepth, int colorType) {
    int channels = switch (colorType) {
      case 2 -> 3;
      case 4 -> 2;
      case 6 -> 4;
      default -> 1;
    };
    int rowBytes = 1 + (int) (((long) width * channels * bitDepth + 7) / 8);
    Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
    ByteArrayOutputStream idat = new ByteArrayOutputStream();
    byte[] row = new byte[rowBytes];
    byte[] buffer = new byte[64 << 10];
    for (int y = 0; y < height; y++) {
      deflater.setInput(row);
      while (!deflater.needsInput()) {
        idat.write(buffer, 0, deflater.deflate(buffer));
      }
    }
    deflater.finish();
    while (!deflater.finished()) {
      idat.write(buffer, 0, deflater.deflate(buffer));
    }
    deflater.end();
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    png.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
    chunk(png, "IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) bitDepth)
        .put((byte) colorType).put((byte) 0).put((byte) 0).put((byte) 0).array());
    if (colorType == 3) {
      chunk(png, "PLTE", new byte[] {0, 0, 0, (byte) 255, (byte) 255, (byte) 255});
    }
    chunk(png, "IDAT", idat.toByteArray());
    chunk(png, "IEND", new byte[0]);
    return png.toByteArray();
  }

  /** A PNG chunk: length, type, data, CRC-32 of type and data. */
  public static void chunk(ByteArrayOutputStream png, String type, byte[] data) {
    byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
    CRC32 crc = new CRC32();
    crc.update(typeBytes);
    crc.update(data);
    png.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
    png.writeBytes(typeBytes);
    png.writeBytes(data);
    png.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }
}
