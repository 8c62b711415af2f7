package io.tessera.image;

import io.tessera.proto.tessera.ChannelOrder;
import io.tessera.proto.tessera.ResizeMode;
import io.tessera.tensor.DataType;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Optional;
import javax.imageio.ImageIO;

/** Shared fixtures: the shared/ folder, configs built directly, images encoded with ImageIO. */
final class ImageTestSupport {
  private ImageTestSupport() {}

  static Path shared(String relative) {
    return Path.of(System.getProperty("tessera.shared.dir", "../../shared")).resolve(relative);
  }

  /** Identity value mapping (values stay 0..255), RGB, whole image stretched. */
  static ImageConfig rawConfig(int height, int width, ResizeMode mode, ChannelOrder order, DataType dtype) {
    return new ImageConfig("test", "serving_default", "images", height, width, mode, order,
        new double[] {1, 1, 1}, new double[] {0, 0, 0}, dtype, ImageConfig.DEFAULT_IMAGE_KEYS,
        ImageLimits.DEFAULTS, Optional.empty(), 0);
  }

  /** 8-bit RGB float output like {@link #rawConfig(int, int)}, with other limits. */
  static ImageConfig rawConfig(int height, int width, ImageLimits limits) {
    return new ImageConfig("test", "serving_default", "images", height, width, ResizeMode.STRETCH,
        ChannelOrder.RGB, new double[] {1, 1, 1}, new double[] {0, 0, 0}, DataType.DT_FLOAT,
        ImageConfig.DEFAULT_IMAGE_KEYS, limits, Optional.empty(), 0);
  }

  /** Decodes {@code images} once with a TensorFlow preprocessor of its own, closing both before returning. */
  static void decodeOnce(ImageConfig config, DecodePool pool, java.util.List<byte[]> images) {
    try (ImagePreprocessor preprocessor = new ImagePreprocessor(config, pool);
         io.tessera.tensor.InputTensor ignored = preprocessor.decodeBatch(images)) {
      // decoded: the caller expected a refusal or only the side effects
    }
  }

  static ImageConfig rawConfig(int height, int width) {
    return rawConfig(height, width, ResizeMode.STRETCH, ChannelOrder.RGB, DataType.DT_FLOAT);
  }

  static byte[] encode(BufferedImage image, String format) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      if (!ImageIO.write(image, format, out)) {
        throw new IllegalStateException("no writer for " + format);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** An RGB image whose four quadrants are red (top left), green, blue and white (bottom right). */
  static BufferedImage quadrants(int width, int height) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        boolean right = x >= width / 2;
        boolean bottom = y >= height / 2;
        int rgb = !bottom ? (right ? 0x00FF00 : 0xFF0000) : (right ? 0xFFFFFF : 0x0000FF);
        image.setRGB(x, y, rgb);
      }
    }
    return image;
  }
}
