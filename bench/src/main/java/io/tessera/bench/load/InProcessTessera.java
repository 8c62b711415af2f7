package io.tessera.bench.load;

import io.tessera.servables.RunResult;
import io.tessera.servables.SavedModelBundle;
import io.tessera.servables.Signature;
import io.tessera.servables.SignatureRunner;
import io.tessera.tensor.DataType;
import io.tessera.tensor.InputTensor;
import io.tessera.tensor.TensorBuilder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Tessera's own in-process path (Java → JNI → native core → C API) without any transport, to
 * compare with the bare C API and with TF Java. As in the C API baseline (c_api_bench.cc), each
 * thread fills its input once and every call wraps it as a tensor without copying, runs, and reads
 * the output. Usage: dir input-alias tiny|mobilenet threads seconds
 */
public final class InProcessTessera {
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    String alias = args[1];
    boolean mobilenet = args[2].equals("mobilenet");
    long[] shape = mobilenet ? new long[] {1, 224, 224, 3} : new long[] {1, 1};
    long n = mobilenet ? 224 * 224 * 3 : 1;
    try (SavedModelBundle bundle = SavedModelBundle.load(dir, List.of("serve"), new byte[0])) {
      Signature signature = bundle.signature("serving_default");
      ThreadLocal<Map<String, InputTensor>> feeds = ThreadLocal.withInitial(() -> {
        try (TensorBuilder builder = TensorBuilder.create(DataType.DT_FLOAT, n)) {
          for (long i = 0; i < n; i++) {
            builder.addDouble(0.5);
          }
          return Map.of(alias, builder.build(shape));  // lives as long as the process
        }
      });
      System.out.println(Driver.run("tessera-in-process", Integer.parseInt(args[3]), Double.parseDouble(args[4]), () -> {
        try (RunResult result = SignatureRunner.run(bundle, signature, feeds.get(), List.of(),
            SignatureRunner.RunSettings.DEFAULT)) {
          result.outputs().get(0).getFloat(0);
        }
      }));
    }
  }
}
