package io.tessera.bench.jmh;

import io.tessera.nativebridge.BatchThreads;
import io.tessera.nativebridge.BatchingSession;
import io.tessera.servables.RunResult;
import io.tessera.servables.SavedModelBundle;
import io.tessera.servables.SignatureRunner;
import io.tessera.tensor.DataType;
import io.tessera.tensor.InputTensor;
import io.tessera.tensor.TensorBuilder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Shared fixtures for the JMH suites: the shared test models, loaded through Tessera. */
final class BenchModels {
  static final Path SHARED = Path.of(System.getProperty("tessera.shared.dir", "../shared"));
  static final Path TINY = SHARED.resolve("testdata/saved_model_half_plus_two_cpu/00000123");

  private BenchModels() {}

  static SavedModelBundle tiny(boolean batching) {
    SavedModelBundle bundle = SavedModelBundle.load(TINY, List.of("serve"), new byte[0]);
    if (!batching) {
      return bundle;
    }
    try (BatchThreads threads = BatchThreads.start(1)) {  // the session keeps its own reference
      return bundle.withBatching(new BatchingSession.Settings(32, 0, 100, 1, new long[0]), threads);
    }
  }

  /** One half_plus_two call on a [1,1] input through Tessera's full run path. */
  static float runTiny(SavedModelBundle bundle) {
    try (TensorBuilder b = TensorBuilder.create(DataType.DT_FLOAT, 1)) {
      b.addDouble(2.0);
      try (InputTensor x = b.build(new long[] {1, 1});
          RunResult r = SignatureRunner.run(bundle, bundle.signature("serving_default"), Map.of("x", x),
              List.of(), SignatureRunner.RunSettings.DEFAULT)) {
        return r.outputs().get(0).getFloat(0);
      }
    }
  }
}
