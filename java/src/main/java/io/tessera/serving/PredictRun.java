package io.tessera.serving;

import com.google.protobuf.ByteString;
import io.tessera.image.ImagePreprocessor;
import io.tessera.image.LabelScore;
import io.tessera.proto.tf.DataType;
import io.tessera.proto.tf.TensorProto;
import io.tessera.servables.RunResult;
import io.tessera.servables.Servable;
import io.tessera.servables.Signature;
import io.tessera.servables.SignatureRunner;
import io.tessera.servables.inference.InferenceRunner;
import io.tessera.status.ServingException;
import io.tessera.tensor.InputTensor;
import io.tessera.tensor.TensorProtoCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The predict half of {@link Pipeline} once the version is held: signature, method check, the
 * image path for encoded images (given as {@link PredictInputs.Images}, or as a DT_STRING wire
 * tensor under the image input's alias), decoding of wire tensors, the run and its metrics, and
 * the encoder call. Stateless.
 */
final class PredictRun {
  private PredictRun() {}

  static <R> R run(Pipeline pipeline, PredictCall call, ResolvedVersion version, String signatureName,
      PredictInputs inputs, Pipeline.OwnedInputs owned, OutputsLease lease, Pipeline.Encoder<Predicted, R> encoder) {
    Servable servable = version.model().servable();
    Optional<ImagePreprocessor> images = version.model().images();
    ImagePreprocessor preprocessor = null;
    String name = signatureName;
    if (inputs instanceof PredictInputs.Images) {
      preprocessor = images.orElseThrow(() -> ServingException.invalidArgument(
          "model " + version.id().name() + " takes no encoded images (it has no tessera_image.json)"));
      name = name.isEmpty() ? preprocessor.config().signatureName() : name;
    }
    Signature signature = predictSignature(servable, name);
    InferenceRunner.checkPredictMethod(signature, pipeline.checksMethods(call.origin()));
    Map<String, InputTensor> tensors;
    int topK = 0;
    if (inputs instanceof PredictInputs.Images encoded) {
      tensors = Map.of(preprocessor.config().inputAlias(),
          owned.add(preprocessor.decodeBatch(encoded.encoded(), call.deadline().forDecoding())));
      topK = encoded.topK();
    } else if (inputs instanceof PredictInputs.Protos protos) {
      tensors = decodeWire(signature, protos, images, call, owned);
    } else if (inputs instanceof PredictInputs.Tensors given) {
      tensors = given.tensors();
    } else {
      throw new IllegalStateException("a Deferred decoded to a Deferred");
    }
    RunResult result = servable.run(signature, tensors, call.outputFilter(), call.deadline().runSettings());
    lease.result(result);  // closed by the lease, at the call's end or when a kept handle is closed
    try {
      pipeline.runRecorder(version, call.origin()).accept(result);
      List<List<LabelScore>> rows = inputs instanceof PredictInputs.Images
          ? Pipeline.topK(images.get(), topK, result) : null;
      return encoder.encode(new Predicted(version.id(), signature.key(), result.outputs(), rows, lease));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The signature a Predict names; FAILED_PRECONDITION in TF Serving's words when absent
   * ({@code RunPredict}, predict_util.cc). REST bodies have already been decoded against it.
   */
  private static Signature predictSignature(Servable servable, String key) {
    String name = key == null || key.isEmpty() ? Signature.DEFAULT_KEY : key;
    Signature signature = servable.signatures().get(name);
    if (signature == null) {
      throw ServingException.failedPrecondition("Serving signature key \"" + name + "\" not found.");
    }
    return signature;
  }

  /**
   * Wire tensors as TF Serving's {@code PreProcessPrediction} takes them, step by step: the input
   * count, then each signature input in alias order (missing without a default, or not parsable:
   * its error; missing with a default: the default), unknown names, the output filter; then the
   * declared dtypes (TensorFlow's run would refuse a mismatch; this refuses it first).
   */
  private static Map<String, InputTensor> decodeWire(Signature signature, PredictInputs.Protos protos,
      Optional<ImagePreprocessor> images, PredictCall call, Pipeline.OwnedInputs owned) {
    Map<String, TensorProto> given = protos.tensors();
    SignatureRunner.checkInputCount(signature, given.keySet());  // before any tensor is decoded
    Map<String, TensorProto> defaults = signature.def().getDefaultsMap();
    Map<String, InputTensor> tensors = new LinkedHashMap<>();
    List<String> checkDtype = new ArrayList<>();
    int fromRequest = 0;
    for (String alias : new TreeSet<>(signature.inputs().keySet())) {
      TensorProto proto = given.get(alias);
      if (proto == null) {
        TensorProto fallback = defaults.get(alias);
        if (fallback == null) {
          throw SignatureRunner.missingInput(signature, alias, given.keySet());
        }
        tensors.put(alias, owned.add(TensorProtoCodec.decodeTrusted(alias, fallback)));
        continue;
      }
      fromRequest++;
      if (images.isPresent() && isEncodedImages(images.get(), alias, proto)) {
        tensors.put(alias, owned.add(images.get().decodeBatch(encodedImages(proto), call.deadline().forDecoding())));
      } else if (protos.trusted()) {
        tensors.put(alias, owned.add(TensorProtoCodec.decodeTrusted(alias, proto)));
      } else {
        tensors.put(alias, owned.add(TensorProtoCodec.decode(alias, proto, protos.data().get(alias))));
        checkDtype.add(alias);
      }
    }
    if (fromRequest != given.size()) {
      Set<String> used = new TreeSet<>(given.keySet());
      used.retainAll(signature.inputs().keySet());
      throw ServingException.invalidArgument("Inputs contains invalid name. Used request inputs: "
          + String.join(",", used) + ", request input: " + String.join(",", new TreeSet<>(given.keySet())));
    }
    SignatureRunner.selectOutputs(signature, call.outputFilter());
    for (String alias : checkDtype) {
      TensorProtoCodec.checkDeclaredDtype(alias, given.get(alias), signature.inputs().get(alias).dtype());
    }
    return tensors;
  }

  /** A DT_STRING tensor of encoded images for the model's image input (Tessera's image API). */
  private static boolean isEncodedImages(ImagePreprocessor images, String alias, TensorProto t) {
    return alias.equals(images.config().inputAlias()) && t.getDtype() == DataType.DT_STRING
        && t.getStringValCount() > 0;
  }

  private static List<byte[]> encodedImages(TensorProto t) {
    return t.getStringValList().stream().map(ByteString::toByteArray).toList();
  }
}
