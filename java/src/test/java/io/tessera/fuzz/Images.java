package io.tessera.fuzz;

import io.tessera.it.TestServer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;

/**
 * Image payloads for the image model: the JPEGs in ../shared/images, small generated PNGs, and
 * hostile variants — truncated, bit-flipped, wrong magic, and "bombs" whose headers declare huge
 * dimensions (PNG IHDR / JPEG SOF patched, checksums fixed) over a few bytes of data.
 */
final class Images {
  private static final List<String> PHOTOS = List.of("chelsea_cat.jpg", "coffee.jpg", "dragonfly.jpg",
      "grace_hopper.jpg", "hot_dog.jpg", "parrot.jpg");
  private static final byte[][] JPEGS = new byte[PHOTOS.size()][];

  private Images() {}

  static synchronized byte[] jpeg(int i) {
    if (JPEGS[i] == null) {
      try {
        JPEGS[i] = Files.readAllBytes(TestServer.shared("images/" + PHOTOS.get(i)));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return JPEGS[i];
  }

  /** A valid random-pixel PNG of w×h (deterministic in r). */
  static byte[] png(SplittableRandom r, int w, int h) {
    BufferedImage img = new BufferedImage(w, h, r.nextBoolean() ? BufferedImage.TYPE_INT_RGB : BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, r.nextInt(1 << 24));
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(img, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** An image payload (valid or hostile); appends what it is to log. */
  static byte[] pick(SplittableRandom r, List<String> log) {
    int kind = r.nextInt(10);
    if (kind <= 2) {
      int i = r.nextInt(PHOTOS.size() - (r.nextInt(4) == 0 ? 0 : 1));  // parrot (600 KB) rarely
      log.add(PHOTOS.get(i));
      return jpeg(i);
    }
    if (kind == 3) {
      int w = 1 + r.nextInt(64);
      int h = 1 + r.nextInt(64);
      log.add("png " + w + "x" + h);
      return png(r, w, h);
    }
    byte[] base = kind % 2 == 0 ? jpeg(0) : png(r, 1 + r.nextInt(16), 1 + r.nextInt(16));
    String what = kind % 2 == 0 ? "cat.jpg" : "png";
    switch (kind) {
      case 4, 5 -> {
        int at = r.nextInt(base.length);
        log.add(what + " truncated@" + at);
        return java.util.Arrays.copyOf(base, at);
      }
      case 6, 7 -> {
        log.add(what + " mutated");
        return Mutators.mutateBytes(base, r, log);
      }
      case 8 -> {
        int w = pickDim(r);
        int h = pickDim(r);
        log.add("png-bomb " + Integer.toUnsignedString(w) + "x" + Integer.toUnsignedString(h));
        return pngWithSize(png(r, 4, 4), w, h);
      }
      default -> {
        int w = r.nextInt(4) == 0 ? 0 : 1 + r.nextInt(65535);
        int h = r.nextInt(4) == 0 ? 0 : 1 + r.nextInt(65535);
        log.add("jpeg-bomb " + w + "x" + h);
        return jpegWithSize(jpeg(0), w, h);
      }
    }
  }

  private static int pickDim(SplittableRandom r) {
    int[] dims = {0, 1, 65535, 65536, 100_000, 1 << 30, Integer.MAX_VALUE, -1};
    return dims[r.nextInt(dims.length)];
  }

  /** The PNG with its IHDR width/height replaced and the chunk CRC recomputed. */
  static byte[] pngWithSize(byte[] png, int w, int h) {
    byte[] b = png.clone();
    ByteBuffer buf = ByteBuffer.wrap(b);
    // signature (8) + length (4) + "IHDR" (4), then width, height
    buf.putInt(16, w);
    buf.putInt(20, h);
    CRC32 crc = new CRC32();
    crc.update(b, 12, 4 + 13);
    buf.putInt(29, (int) crc.getValue());
    return b;
  }

  /** The JPEG with the first SOF0/SOF2 marker's height/width replaced (16-bit each). */
  static byte[] jpegWithSize(byte[] jpeg, int w, int h) {
    byte[] b = jpeg.clone();
    for (int i = 2; i + 9 < b.length; i++) {
      if ((b[i] & 0xff) == 0xff && ((b[i + 1] & 0xff) == 0xc0 || (b[i + 1] & 0xff) == 0xc2)) {
        // FF C0, length (2), precision (1), height (2), width (2)
        b[i + 5] = (byte) (h >> 8);
        b[i + 6] = (byte) h;
        b[i + 7] = (byte) (w >> 8);
        b[i + 8] = (byte) w;
        return b;
      }
    }
    return b;
  }
}
