package io.tessera.http;

import io.tessera.image.ImageJsonRequest;
import io.tessera.image.ImagePreprocessor;
import io.tessera.servables.Servable;
import io.tessera.servables.Signature;
import io.tessera.servables.TensorSpec;
import io.tessera.serving.PredictInputs;
import io.tessera.serving.ServedModel;
import io.tessera.status.ServingException;
import io.tessera.tensor.DataType;
import io.tessera.tensor.json.PredictJsonReader;
import io.tessera.tensor.json.PredictJsonRequest;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A REST predict body as the pipeline's deferred inputs: decoded once the version is known, as
 * encoded images when the version has image preprocessing and the body starts like an image
 * request (a bounded probe, so a float body is still parsed once), else by the zero-copy JSON
 * reader against the signature's input dtypes. Remembers which format (instances/inputs) the
 * body used, for the reply. Used by one request on one thread.
 */
final class RestPredictBody implements PredictInputs.Deferred {
  private final ByteBuffer body;
  private boolean rowFormat = true;

  RestPredictBody(ByteBuffer body) {
    this.body = body;
  }

  @Override
  public PredictInputs.Decoded decode(ServedModel version) {
    Optional<ImagePreprocessor> images = version.images();
    if (images.isPresent() && ImageJsonRequest.startsLikeImages(body, images.get().config())) {
      ImageJsonRequest request = ImageJsonRequest.parse(body, images.get().config());
      if (request != null) {
        rowFormat = request.rowFormat();
        return new PredictInputs.Decoded(request.signatureName(),
            new PredictInputs.Images(request.images().stream().map(ByteBuffer::wrap).toList(), request.topK()));
      }
    }
    Servable servable = version.servable();
    PredictJsonRequest request = PredictJsonReader.read(body, name -> inputTypes(servable, name));
    rowFormat = request.rowFormat();
    return new PredictInputs.Decoded(request.signatureName(), new PredictInputs.Tensors(request.inputs()));
  }

  @Override
  public void checkBeforeLookup() {
    PredictJsonReader.checkBeforeLookup(body);
  }

  /** True for {@code instances} (reply with {@code predictions}); valid after {@link #decode}. */
  boolean rowFormat() {
    return rowFormat;
  }

  private static Map<String, DataType> inputTypes(Servable servable, String signatureName) {
    Signature signature = servable.signature(signatureName);
    if (signature.inputs().isEmpty()) {
      throw ServingException.invalidArgument("Failed to get input map for signature: " + signature.key());
    }
    Map<String, DataType> types = new LinkedHashMap<>();
    for (TensorSpec spec : signature.inputs().values()) {
      DataType dtype = spec.dtype();
      if (dtype == null) {
        throw ServingException.unimplemented("input " + spec.alias() + " has an unsupported dtype ("
            + spec.dtypeNumber() + ")");
      }
      types.put(spec.alias(), dtype);
    }
    return types;
  }
}
