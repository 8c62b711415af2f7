package io.tessera.servables;

import io.tessera.proto.tf.MetaGraphDef;
import io.tessera.status.ServingException;
import io.tessera.tensor.InputTensor;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * What the request pipeline ({@code io.tessera.serving.Pipeline}) runs through: one loaded model
 * version's signatures and a way to run one of them. {@link SavedModelBundle} is the TensorFlow
 * implementation; tests implement it with fakes (no native code). Implementations must be safe
 * for concurrent runs while the version is held.
 */
public interface Servable {
  /** Signatures by key (immutable). */
  Map<String, Signature> signatures();

  /**
   * The named signature ("" or null = serving_default); INVALID_ARGUMENT in the words of TF
   * Serving's REST predict ({@code HttpRestApiHandler::GetInfoMap}) if absent. gRPC Predict,
   * Classify/Regress and MultiInference word it as their own TF Serving sources do.
   */
  default Signature signature(String key) {
    String name = key == null || key.isEmpty() ? Signature.DEFAULT_KEY : key;
    Signature signature = signatures().get(name);
    if (signature == null) {
      throw ServingException.invalidArgument(
          "Serving signature name: \"" + name + "\" not found in signature def");
    }
    return signature;
  }

  /**
   * Runs {@code signature} once (see {@link SignatureRunner#run} for the checks and messages).
   *
   * @param inputs by alias; must name exactly the signature's inputs. Not closed here.
   * @param outputFilter aliases to fetch; empty means all outputs
   * @return the outputs; the caller closes the result
   */
  RunResult run(Signature signature, Map<String, InputTensor> inputs, Collection<String> outputFilter,
      SignatureRunner.RunSettings settings);

  /** Meta info and signatures (no graph), for metadata answers. */
  default MetaGraphDef metaGraph() {
    MetaGraphDef.Builder meta = MetaGraphDef.newBuilder();
    signatures().forEach((key, signature) -> meta.putSignatureDef(key, signature.def()));
    return meta.build();
  }

  /** The devices the version runs on (for the status pages; empty when unknown). */
  default List<String> devices() {
    return List.of();
  }
}
