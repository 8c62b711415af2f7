package io.tessera.servables.warmup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.tessera.core.AspiredVersionPolicy;
import io.tessera.core.AspiredVersionsManager;
import io.tessera.core.Loader;
import io.tessera.core.ServableHandle;
import io.tessera.core.ServableId;
import io.tessera.core.ServableState;
import io.tessera.it.ModelDirs;
import io.tessera.metrics.ServingMetrics;
import io.tessera.nativebridge.HostBuffer;
import io.tessera.nativebridge.NativeHandle;
import io.tessera.proto.serving.PredictLog;
import io.tessera.proto.serving.PredictRequest;
import io.tessera.proto.serving.PredictionLog;
import io.tessera.proto.tf.TensorProto;
import io.tessera.proto.tf.TensorShapeProto;
import io.tessera.servables.SavedModelBundle;
import io.tessera.serving.ServedModel;
import io.tessera.serving.WarmupReplay;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 50 load → warmup → unload cycles of mobilenet_v2 through the real manager: every unloaded
 * version frees its TensorFlow session and tensors, so RSS stays within 10 % of its level after
 * the baseline. The baseline is taken after {@value #WARMUP_CYCLES} warm-up cycles, not after the
 * very first: the first few cycles grow RSS once (JIT, glibc arenas and mmap threshold, TF's lazy
 * global state; measured +10-40 % by cycle 10), after which RSS stays flat over 150 cycles.
 */
class LoadUnloadMemoryTest {
  private static final int WARMUP_CYCLES = 10;
  private static final Path MOBILENET = Path.of(System.getProperty("tessera.shared.dir", "../../shared"))
      .resolve("models/mobilenet_v2/1").toAbsolutePath().normalize();

  @Test
  void fiftyMobilenetCyclesReturnToBaseline(@TempDir Path dir) throws Exception {
    Path version = dir.resolve("1");
    ModelDirs.copyTree(MOBILENET, version);
    writeWarmup(version);
    ModelWarmup<ServedModel> warmup = new ModelWarmup<>(
        new WarmupReplay(new ServingMetrics(), new ServableId("mobilenet", 1)), 1);
    Loader<ServedModel> loader = () -> warmup.warm(
        ServedModel.of(SavedModelBundle.load(version, List.of("serve"), null)), version);
    long baselineBuffers = HostBuffer.liveBytes();
    long start = rssKb();
    try (AspiredVersionsManager<ServedModel> manager = new AspiredVersionsManager<>(
        new AspiredVersionsManager.Options(0, Duration.ZERO), AspiredVersionPolicy.AVAILABILITY_PRESERVING)) {
      for (int i = 0; i < WARMUP_CYCLES; i++) {
        cycle(manager, loader);
      }
      long afterFirst = rssKb();
      for (int i = 0; i < 50; i++) {
        cycle(manager, loader);
      }
      long afterFifty = rssKb();
      System.out.println("LoadUnloadMemoryTest: RSS at start " + start + " kB, after " + WARMUP_CYCLES
          + " warm-up cycles " + afterFirst + " kB, after 50 more " + afterFifty + " kB (" + String.format("%+.1f", 100.0 * (afterFifty - afterFirst) / afterFirst) + " %)");
      assertTrue(afterFifty <= afterFirst * 1.10, "RSS grew from " + afterFirst + " kB to " + afterFifty + " kB");
    }
    assertEquals(baselineBuffers, HostBuffer.liveBytes(), "native host buffers leaked");
    assertEquals(0, NativeHandle.leakCount());
  }

  private static void cycle(AspiredVersionsManager<ServedModel> manager, Loader<ServedModel> loader)
      throws Exception {
    manager.setAspiredVersions("mobilenet", Map.of(1L, loader));
    assertTrue(manager.awaitIdle(Duration.ofMinutes(1)));
    assertEquals(ServableState.AVAILABLE, manager.monitor().versions("mobilenet").get(0).state());
    try (ServableHandle<ServedModel> handle = manager.acquire("mobilenet", 1L)) {
      assertEquals(1, handle.id().version());
    }
    manager.setAspiredVersions("mobilenet", Map.of());
    assertTrue(manager.awaitIdle(Duration.ofMinutes(1)));
    assertTrue(manager.awaitIdle(Duration.ofMinutes(1)));  // the END report is queued behind the unload
    assertEquals(ServableState.END, manager.monitor().versions("mobilenet").get(0).state());
  }

  /** One predict record: a [1, 224, 224, 3] float image (a gradient, not all zeros). */
  private static void writeWarmup(Path version) throws IOException {
    byte[] pixels = new byte[224 * 224 * 3 * 4];
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(pixels).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < 224 * 224 * 3; i++) {
      b.putFloat((i % 255) / 255f);
    }
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (long d : new long[] {1, 224, 224, 3}) {
      shape.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
    }
    PredictionLog log = PredictionLog.newBuilder().setPredictLog(PredictLog.newBuilder().setRequest(
        PredictRequest.newBuilder().putInputs("images", TensorProto.newBuilder().setDtypeValue(1)
            .setTensorShape(shape).setTensorContent(ByteString.copyFrom(pixels)).build()))).build();
    Files.createDirectories(version.resolve("assets.extra"));
    Files.write(version.resolve(ModelWarmup.FILE), TFRecordReader.frame(log.toByteArray()));
  }

  private static long rssKb() throws IOException, InterruptedException {
    System.gc();
    Thread.sleep(100);
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IllegalStateException("no VmRSS");
  }
}
