package io.tessera.serving;

import io.tessera.core.ServableId;
import io.tessera.core.VersionStatus;
import io.tessera.image.ImageConfig;
import io.tessera.image.ImageLimits;
import io.tessera.image.ImagePreprocessor;
import io.tessera.proto.tessera.ChannelOrder;
import io.tessera.proto.tessera.ResizeMode;
import io.tessera.proto.tf.SignatureDef;
import io.tessera.servables.RunResult;
import io.tessera.servables.Servable;
import io.tessera.servables.Signature;
import io.tessera.servables.SignatureRunner;
import io.tessera.servables.TensorSpec;
import io.tessera.servables.inference.InferenceRunner;
import io.tessera.status.ServingException;
import io.tessera.tensor.DataType;
import io.tessera.tensor.InputTensor;
import io.tessera.tensor.OutputTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A servable without TensorFlow: signatures built by hand, and a run that records what it was
 * fed and answers float outputs ({@code probabilities} [N, 3], {@code scores} [N, 2],
 * {@code outputs} [N]) with N = the first input's first dimension. Also the versions it serves.
 */
final class FakeServable implements Servable {
  /** One recorded run: the signature, each input's dtype and shape, and the settings. */
  record Fed(String signature, Map<String, DataType> dtypes, Map<String, long[]> shapes,
      SignatureRunner.RunSettings settings) {}

  static final long RUN_NANOS = 3_000_000;

  final List<Fed> runs = new ArrayList<>();
  final AtomicInteger released = new AtomicInteger();
  RuntimeException failWith;
  private final Map<String, Signature> signatures = new LinkedHashMap<>();

  FakeServable() {
    signature("serving_default", InferenceRunner.PREDICT_METHOD, Map.of("x", DataType.DT_STRING), "probabilities");
    signature("images", InferenceRunner.PREDICT_METHOD, Map.of("images", DataType.DT_FLOAT), "probabilities");
    signature("classify_x", InferenceRunner.CLASSIFY_METHOD, Map.of("inputs", DataType.DT_STRING), "scores");
    signature("regress_x", InferenceRunner.REGRESS_METHOD, Map.of("inputs", DataType.DT_STRING), "outputs");
    signature("odd", "my/own/method", Map.of("x", DataType.DT_STRING), "probabilities");
  }

  private void signature(String key, String method, Map<String, DataType> inputs, String output) {
    Map<String, TensorSpec> in = new LinkedHashMap<>();
    inputs.forEach((alias, dtype) -> in.put(alias, new TensorSpec(alias, alias + ":0", dtype.number(), 0)));
    Map<String, TensorSpec> out = Map.of(output, new TensorSpec(output, output + ":0", DataType.DT_FLOAT.number(), 1));
    signatures.put(key, new Signature(key, SignatureDef.newBuilder().setMethodName(method).build(), in, out));
  }

  @Override
  public Map<String, Signature> signatures() {
    return signatures;
  }

  @Override
  public RunResult run(Signature signature, Map<String, InputTensor> inputs, Collection<String> outputFilter,
      SignatureRunner.RunSettings settings) {
    SignatureRunner.checkInputs(signature, inputs.keySet());
    Map<String, DataType> dtypes = new LinkedHashMap<>();
    Map<String, long[]> shapes = new LinkedHashMap<>();
    inputs.forEach((alias, t) -> {
      dtypes.put(alias, t.dtype());
      shapes.put(alias, t.shape());
    });
    runs.add(new Fed(signature.key(), dtypes, shapes, settings));
    if (failWith != null) {
      throw failWith;
    }
    long n = inputs.values().iterator().next().dim(0);
    List<OutputTensor> outputs = new ArrayList<>();
    for (String alias : outputFilter.isEmpty() ? signature.outputs().keySet() : outputFilter) {
      long[] shape = switch (alias) {
        case "probabilities" -> new long[] {n, 3};
        case "scores" -> new long[] {n, 2};
        default -> new long[] {n};
      };
      int count = (int) (shape.length == 1 ? n : n * shape[1]);
      ByteBuffer data = ByteBuffer.allocate(count * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < count; i++) {
        data.putFloat(i * 4, (i % 3) / 10f);
      }
      outputs.add(new OutputTensor(alias, DataType.DT_FLOAT, shape, data, null, outputs.size()));
    }
    return new RunResult(outputs, RUN_NANOS, null, released::incrementAndGet);
  }

  /** An image config for the "images" signature: 4 x 4 RGB floats, values 0..255. */
  static ImagePreprocessor images() {
    return new ImagePreprocessor(new ImageConfig("test", "images", "images", 4, 4, ResizeMode.STRETCH,
        ChannelOrder.RGB, new double[] {1, 1, 1}, new double[] {0, 0, 0}, DataType.DT_FLOAT,
        ImageConfig.DEFAULT_IMAGE_KEYS, ImageLimits.DEFAULTS, Optional.empty(), 0));
  }

  /** Serves {@code models} as version 1 each; counts holds taken and released. */
  static final class Versions implements ModelVersions {
    final Map<String, ServedModel> models = new LinkedHashMap<>();
    final AtomicInteger held = new AtomicInteger();

    @Override
    public ResolvedVersion acquire(ModelRef ref) {
      ServedModel model = models.get(ref.name());
      if (model == null || (ref.version() != null && ref.version() != 1)) {
        throw ServingException.notFound("Servable not found for request: Latest(" + ref.name() + ")");
      }
      held.incrementAndGet();
      return new ResolvedVersion(new ServableId(ref.name(), 1), model, held::decrementAndGet);
    }

    @Override
    public List<VersionStatus> status(String name, Long version) {
      return List.of();
    }
  }
}
