package io.tessera.bench.jmh;

import io.tessera.image.DecodePool;
import io.tessera.image.ImageConfig;
import io.tessera.image.ImageLimits;
import io.tessera.image.ImagePreprocessor;
import io.tessera.proto.tessera.ChannelOrder;
import io.tessera.proto.tessera.ResizeMode;
import io.tessera.tensor.DataType;
import io.tessera.tensor.InputTensor;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Decode + resize of the six shared photos to mobilenet_v2's 224×224×3 float input (x/127.5 − 1),
 * one image per call on the calling thread, with TensorFlow's kernels (the server's decoder) and
 * with the javax.imageio decoder + Java bilinear resizer (the previous one), in the same run:
 * images/s, and with {@code -prof gc} the Java heap bytes allocated per image
 * ({@code gc.alloc.rate.norm}; TensorFlow's own buffers are native and not in that figure).
 * Run: {@code bench/run-jmh.sh -f 1 -wi 3 -i 5 -prof gc ImageDecode}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ImageDecodeBenchmark {
  static final List<String> PHOTOS = List.of("chelsea_cat.jpg", "coffee.jpg", "dragonfly.jpg",
      "grace_hopper.jpg", "hot_dog.jpg", "parrot.jpg");

  @Param({"tensorflow", "imageio"})
  public String decoder;

  private ImagePreprocessor preprocessor;
  private final List<List<byte[]>> photos = new ArrayList<>();

  @Setup(Level.Trial)
  public void load() throws IOException {
    double scale = 1 / 127.5;
    ImageConfig config = new ImageConfig("bench", "serving_default", "images", 224, 224,
        ResizeMode.STRETCH, ChannelOrder.RGB, new double[] {scale, scale, scale},
        new double[] {-1, -1, -1}, DataType.DT_FLOAT, ImageConfig.DEFAULT_IMAGE_KEYS,
        ImageLimits.DEFAULTS, Optional.empty(), 0);
    preprocessor = decoder.equals("tensorflow") ? new ImagePreprocessor(config, DecodePool.shared())
        : ImagePreprocessor.withImageIo(config, DecodePool.shared());
    for (String photo : PHOTOS) {
      photos.add(List.of(Files.readAllBytes(BenchModels.SHARED.resolve("images").resolve(photo))));
    }
  }

  @TearDown(Level.Trial)
  public void close() {
    preprocessor.close();
  }

  /** All six photos, one decode each: the score is images per second. */
  @Benchmark
  @OperationsPerInvocation(6)
  public long sixPhotos() {
    long bytes = 0;
    for (List<byte[]> photo : photos) {
      try (InputTensor tensor = preprocessor.decodeBatch(photo)) {
        bytes += tensor.byteSize();
      }
    }
    return bytes;
  }
}
