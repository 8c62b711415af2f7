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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The predict half of {@link Pipeline} once the version is held: signature, method check, the
 * image path for encoded images (given as {@link PredictInputs.Images}, or as a DT_STRING wire
 * tensor under the image input's alias), decoding of wire tensors, the run and its metrics, and
 * the encoder call. Stateless.
 */
final class PredictRun {
  private PredictRun() {}

  static <R> R run(Pipeline pipeline, PredictCall call, ResolvedVersion version, String signatureName,
      PredictInputs inputs, Pipeline.OwnedInputs owned, Pipeline.Encoder<Predicted, R> encoder) {
    Servable servable = version.model().servable();
    Optional<ImagePreprocessor> images = version.model().images();
    ImagePreprocessor preprocessor = null;
    String name = signatureName;
    if (inputs instanceof PredictInputs.Images) {
      preprocessor = images.orElseThrow(() -> ServingException.invalidArgument(
          "model " + version.id().name() + " takes no encoded images (it has no tessera_image.json)"));
      name = name.isEmpty() ? preprocessor.config().signatureName() : name;
    }
    Signature signature = servable.signature(name);
    InferenceRunner.checkPredictMethod(signature, pipeline.checksMethods(call.origin()));
    Map<String, InputTensor> tensors;
    int topK = 0;
    long decodeStarted = System.nanoTime();
    long decodeNanos = 0;
    if (inputs instanceof PredictInputs.Images encoded) {
      tensors = Map.of(preprocessor.config().inputAlias(),
          owned.add(preprocessor.decodeBuffers(encoded.encoded(), call.deadline().forDecoding(),
              pipeline.decodeObserver(version))));
      decodeNanos = System.nanoTime() - decodeStarted;
      topK = encoded.topK();
    } else if (inputs instanceof PredictInputs.Protos protos) {
      // Names first: nothing is decoded for a call that names inputs the signature lacks.
      SignatureRunner.checkInputs(signature, protos.tensors().keySet());
      tensors = new LinkedHashMap<>();
      for (Map.Entry<String, TensorProto> e : protos.tensors().entrySet()) {
        if (images.isPresent() && isEncodedImages(images.get(), e.getKey(), e.getValue())) {
          tensors.put(e.getKey(), owned.add(images.get().decodeBatch(encodedImages(e.getValue()),
              call.deadline().forDecoding())));
        } else if (protos.trusted()) {
          tensors.put(e.getKey(), owned.add(TensorProtoCodec.decodeTrusted(e.getKey(), e.getValue())));
        } else {
          TensorProtoCodec.checkDeclaredDtype(e.getKey(), e.getValue(), signature.inputs().get(e.getKey()).dtype());
          tensors.put(e.getKey(), owned.add(TensorProtoCodec.decode(e.getKey(), e.getValue())));
        }
      }
    } else if (inputs instanceof PredictInputs.Tensors given) {
      tensors = given.tensors();
    } else {
      throw new IllegalStateException("a Deferred decoded to a Deferred");
    }
    long runStarted = System.nanoTime();
    try (RunResult result = servable.run(signature, tensors, call.outputFilter(), call.deadline().runSettings())) {
      long runNanos = System.nanoTime() - runStarted;
      pipeline.runRecorder(version, call.origin()).accept(result);
      List<List<LabelScore>> rows = null;
      if (inputs instanceof PredictInputs.Images encoded) {
        rows = Pipeline.topK(images.get(), topK, result);
        pipeline.recordImagePredictions(version, encoded.encoded().size(), images.get(), result);
      }
      return encoder.encode(new Predicted(version.id(), signature.key(), result.outputs(), rows,
          decodeNanos, runNanos));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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
