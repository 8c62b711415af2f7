package io.tessera.v2;

import io.tessera.proto.tf.TensorInfo;
import io.tessera.proto.tf.TensorShapeProto;
import io.tessera.servables.Signature;
import io.tessera.servables.TensorSpec;
import io.tessera.serving.Pipeline;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A model's metadata as the protocol reports it: name, the AVAILABLE versions, the platform and
 * the default signature's inputs and outputs with v2 datatypes and the SignatureDef's shapes
 * (-1 for an unknown dimension; [-1] for an unknown rank). Pure.
 */
public record ModelMetadata(String name, List<String> versions, String platform, List<TensorMeta> inputs,
    List<TensorMeta> outputs) {
  /** One tensor of the metadata. */
  public record TensorMeta(String name, String datatype, long[] shape) {}

  public static ModelMetadata of(Pipeline.Description description) {
    Signature signature = description.signature();
    return new ModelMetadata(description.id().name(),
        description.availableVersions().stream().map(String::valueOf).toList(), V2Server.PLATFORM,
        tensors(signature.inputs().values(), signature, true), tensors(signature.outputs().values(), signature, false));
  }

  private static List<TensorMeta> tensors(Collection<TensorSpec> specs, Signature signature, boolean inputs) {
    List<TensorMeta> result = new ArrayList<>();
    for (TensorSpec spec : specs) {
      TensorInfo info = (inputs ? signature.def().getInputsMap() : signature.def().getOutputsMap()).get(spec.alias());
      result.add(new TensorMeta(spec.alias(), V2Types.name(spec.dtypeNumber()), shape(info)));
    }
    return result;
  }

  private static long[] shape(TensorInfo info) {
    if (info == null || info.getTensorShape().getUnknownRank()) {
      return new long[] {-1};
    }
    List<TensorShapeProto.Dim> dims = info.getTensorShape().getDimList();
    long[] shape = new long[dims.size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = dims.get(i).getSize() < 0 ? -1 : dims.get(i).getSize();
    }
    return shape;
  }
}
