package io.tessera.serving;

import com.google.protobuf.ByteString;
import io.tessera.image.ImagePreprocessor;
import io.tessera.image.LabelScore;
import io.tessera.proto.tf.DataType;
import io.tessera.proto.tf.TensorProto;
import io.tessera.requestlog.RequestLogger;
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
import java.nio.ByteBuffer;
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
 * tensor under the image input's alias), decoding of wire tensors, the run and its metrics, the
 * encoder call and, for a sampled call, its request log record. Stateless.
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
    } else if (inputs instanceof PredictInputs.Declared declared && DeclaredInputs.carriesImages(declared, images)) {
      name = name.isEmpty() ? images.get().config().signatureName() : name;
    }
    Signature signature = predictSignature(servable, name);
    InferenceRunner.checkPredictMethod(signature, pipeline.checksMethods(call.origin()));
    Map<String, InputTensor> tensors;
    int topK = 0;
    long decodeStarted = System.nanoTime();
    long decodeNanos = 0;
    if (inputs instanceof PredictInputs.Images encoded) {
      tensors = Map.of(preprocessor.config().inputAlias(),
          owned.add(pipeline.decodeImages(version, call.origin(), preprocessor, encoded.encoded(),
              call.deadline().forDecoding())));
      decodeNanos = System.nanoTime() - decodeStarted;
      topK = encoded.topK();
    } else if (inputs instanceof PredictInputs.Protos protos) {
      tensors = decodeWire(signature, protos, images, call, owned, pipeline, version);
      decodeNanos = wireImages(images, protos) > 0 ? System.nanoTime() - decodeStarted : 0;
    } else if (inputs instanceof PredictInputs.Declared declared) {
      tensors = DeclaredInputs.decode(declared, signature, pipeline, version, call, images, owned);
      decodeNanos = DeclaredInputs.images(declared, images) > 0 ? System.nanoTime() - decodeStarted : 0;
    } else if (inputs instanceof PredictInputs.Tensors given) {
      tensors = given.tensors();
    } else {
      throw new IllegalStateException("a Deferred decoded to a Deferred");
    }
    long runStarted = System.nanoTime();
    RunResult result = servable.run(signature, tensors, call.outputFilter(), call.deadline().runSettings());
    lease.result(result);  // closed by the lease, at the call's end or when a kept handle is closed
    try {
      long runNanos = System.nanoTime() - runStarted;
      pipeline.runRecorder(version, call.origin()).accept(result);
      List<List<LabelScore>> rows = null;
      if (inputs instanceof PredictInputs.Images sent) {
        rows = Pipeline.topK(images.get(), topK, result);
        pipeline.recordImagePredictions(version, call.origin(), sent.encoded().size(), images.get(), result);
      } else if (inputs instanceof PredictInputs.Protos protos && wireImages(images, protos) > 0) {
        pipeline.recordImagePredictions(version, call.origin(), wireImages(images, protos), images.get(), result);
      } else if (inputs instanceof PredictInputs.Declared declared && DeclaredInputs.images(declared, images) > 0) {
        pipeline.recordImagePredictions(version, call.origin(), DeclaredInputs.images(declared, images),
            images.get(), result);
      }
      R encoded = encoder.encode(new Predicted(version.id(), signature.key(), result.outputs(), rows,
          decodeNanos, runNanos, Classifications.of(call.classifications(), result.outputs(), images), lease));
      RequestLogger log = RequestLogs.sampled(version, call.origin());
      if (log != null) {  // the outputs are alive until the lease ends, after this call returns
        RequestLogs.predict(log, version, call, signature.key(), inputs, tensors,
            preprocessor != null ? preprocessor.config().inputAlias() : "", result.outputs());
      }
      return encoded;
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
      Optional<ImagePreprocessor> images, PredictCall call, Pipeline.OwnedInputs owned, Pipeline pipeline,
      ResolvedVersion version) {
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
        tensors.put(alias, owned.add(pipeline.decodeImages(version, call.origin(), images.get(), encodedImages(proto),
            call.deadline().forDecoding())));
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

  /** Read-only views of the string elements (no copy). */
  private static List<ByteBuffer> encodedImages(TensorProto t) {
    return t.getStringValList().stream().map(ByteString::asReadOnlyByteBuffer).toList();
  }

  /** Encoded images among a wire call's tensors (a DT_STRING tensor under the image input). */
  private static int wireImages(Optional<ImagePreprocessor> images, PredictInputs.Protos protos) {
    if (images.isEmpty()) {
      return 0;
    }
    TensorProto t = protos.tensors().get(images.get().config().inputAlias());
    return t != null && isEncodedImages(images.get(), images.get().config().inputAlias(), t) ? t.getStringValCount() : 0;
  }
}
