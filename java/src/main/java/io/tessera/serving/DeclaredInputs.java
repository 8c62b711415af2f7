package io.tessera.serving;

import io.tessera.image.ImagePreprocessor;
import io.tessera.servables.Signature;
import io.tessera.servables.TensorSpec;
import io.tessera.status.ServingException;
import io.tessera.tensor.DataType;
import io.tessera.tensor.InputTensor;
import io.tessera.tensor.Shapes;
import io.tessera.tensor.SharedHostBuffer;
import io.tessera.tensor.TensorBuilder;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The checks and decoding of {@link PredictInputs.Declared} once the version is held, in
 * Triton's words (the Open Inference Protocol's reference implementation): every name must be a
 * signature input and every input given; a declared dtype must be the signature's (INT32 for an
 * FP32 input is refused, not converted); raw bytes must be exactly what the shape needs. A BYTES
 * tensor under an image model's image input is a batch of encoded images and takes the image
 * path instead. Raw bytes that arrived in a shared aligned buffer at a 64-byte boundary are fed
 * as a view of it, other raw bytes are copied once. Stateless.
 */
final class DeclaredInputs {
  private DeclaredInputs() {}

  /** True when the call sends encoded images to the version's image input. */
  static boolean carriesImages(PredictInputs.Declared declared, Optional<ImagePreprocessor> images) {
    return images.isPresent() && declared.tensors().get(images.get().config().inputAlias())
        instanceof DeclaredTensor.Strings;
  }

  /** How many encoded images the call sends to the version's image input (0 = none). */
  static int images(PredictInputs.Declared declared, Optional<ImagePreprocessor> images) {
    return carriesImages(declared, images)
        ? ((DeclaredTensor.Strings) declared.tensors().get(images.get().config().inputAlias())).elements().size() : 0;
  }

  /** Decodes every input into a tensor {@code owned} closes; images through the pipeline's decoder. */
  static Map<String, InputTensor> decode(PredictInputs.Declared declared, Signature signature, Pipeline pipeline,
      ResolvedVersion version, PredictCall call, Optional<ImagePreprocessor> images, Pipeline.OwnedInputs owned) {
    String model = version.id().name();
    checkNames(declared, signature, model);
    Map<String, InputTensor> tensors = new LinkedHashMap<>();
    for (Map.Entry<String, DeclaredTensor> e : declared.tensors().entrySet()) {
      String alias = e.getKey();
      DeclaredTensor given = e.getValue();
      if (given instanceof DeclaredTensor.Strings strings && images.isPresent()
          && alias.equals(images.get().config().inputAlias())) {
        if (strings.shape().length != 1 || strings.shape()[0] != strings.elements().size()) {
          throw ServingException.invalidArgument("encoded images for input '" + alias + "' must be a BYTES tensor"
              + " of shape [batch] holding batch images, got " + strings.elements().size() + " for shape "
              + Shapes.debugString(strings.shape()));
        }
        tensors.put(alias, owned.add(pipeline.decodeImages(version, call.origin(), images.get(),
            strings.elements().stream().map(ByteBuffer::wrap).toList(), call.deadline().forDecoding())));
        continue;
      }
      checkDtype(declared, alias, given.dtype(), signature.inputs().get(alias), model);
      // A Built tensor is already the call's (OwnedInputs adopted it with the call).
      tensors.put(alias, given instanceof DeclaredTensor.Built built ? built.tensor()
          : owned.add(tensor(alias, given, model)));
    }
    return tensors;
  }

  private static void checkNames(PredictInputs.Declared declared, Signature signature, String model) {
    for (String name : declared.tensors().keySet()) {
      if (!signature.inputs().containsKey(name)) {
        throw ServingException.invalidArgument("unexpected inference input '" + name + "' for model '" + model
            + "', allowed inputs are: " + String.join(", ", new TreeSet<>(signature.inputs().keySet())));
      }
    }
    if (declared.tensors().size() != signature.inputs().size()) {
      TreeSet<String> missing = new TreeSet<>(signature.inputs().keySet());
      missing.removeAll(declared.tensors().keySet());
      throw ServingException.invalidArgument("expected " + signature.inputs().size() + " inputs but got "
          + declared.tensors().size() + " inputs for model '" + model + "'; missing: " + String.join(", ", missing));
    }
  }

  private static void checkDtype(PredictInputs.Declared declared, String alias, DataType given, TensorSpec spec,
      String model) {
    DataType expected = spec.dtype();
    if (expected != null && expected != given) {
      throw ServingException.invalidArgument("inference input '" + alias + "' data-type is '"
          + declared.typeName().apply(given) + "', but model '" + model + "' expects '"
          + declared.typeName().apply(expected) + "'");
    }
  }

  static InputTensor tensor(String alias, DeclaredTensor given, String model) {
    long[] shape = given.shape();
    long elements;
    try {
      elements = Shapes.checkedElementCount(shape);
    } catch (ServingException e) {
      throw ServingException.invalidArgument("input '" + alias + "': " + e.getMessage());
    }
    if (given instanceof DeclaredTensor.Raw raw) {
      long expected = Shapes.checkedByteSize(raw.dtype(), elements, shape);
      long got = raw.littleEndian().remaining();
      if (got != expected) {
        throw ServingException.invalidArgument("input byte size mismatch for input '" + alias + "' for model '"
            + model + "'. Expected " + expected + ", got " + got);
      }
      if (raw.host() != null && SharedHostBuffer.viewable(raw.hostOffset())) {
        return raw.host().view(raw.dtype(), shape, raw.hostOffset(), got);  // where the bytes arrived
      }
      try (TensorBuilder builder = TensorBuilder.create(raw.dtype(), elements)) {  // unaligned: one copy
        builder.addRaw(raw.littleEndian().duplicate());
        return builder.build(shape);
      }
    }
    DeclaredTensor.Strings strings = (DeclaredTensor.Strings) given;
    if (strings.elements().size() != elements) {
      throw ServingException.invalidArgument("unexpected number of string elements " + strings.elements().size()
          + " for inference input '" + alias + "' for model '" + model + "', expecting " + elements);
    }
    try (TensorBuilder builder = TensorBuilder.create(DataType.DT_STRING, 0)) {
      strings.elements().forEach(builder::addBytes);
      return builder.build(shape);
    }
  }
}
