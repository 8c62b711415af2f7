package io.tessera.serving;

import com.google.protobuf.Int64Value;
import io.tessera.core.VersionStatus;
import io.tessera.proto.serving.GetModelStatusResponse;
import io.tessera.proto.serving.ModelSpec;
import io.tessera.proto.serving.ModelVersionStatus;
import io.tessera.proto.serving.SignatureDefMap;
import io.tessera.proto.serving.StatusProto;
import io.tessera.servables.Servable;
import java.util.List;

/** Builds the status and metadata messages both APIs return. Pure. */
public final class ModelResponses {
  private ModelResponses() {}

  public static GetModelStatusResponse status(List<VersionStatus> versions) {
    GetModelStatusResponse.Builder response = GetModelStatusResponse.newBuilder();
    for (VersionStatus v : versions) {
      response.addModelVersionStatus(ModelVersionStatus.newBuilder()
          .setVersion(v.version())
          .setStateValue(v.state().number())
          .setStatus(StatusProto.newBuilder()
              .setErrorCodeValue(v.errorCode().number())
              .setErrorMessage(v.errorMessage())));
    }
    return response.build();
  }

  /** The spec a response reports: the resolved name and version, and the signature if given. */
  public static ModelSpec resolvedSpec(String name, long version, String signatureName) {
    return ModelSpec.newBuilder()
        .setName(name)
        .setVersion(Int64Value.of(version))
        .setSignatureName(signatureName == null ? "" : signatureName)
        .build();
  }

  public static SignatureDefMap signatureDefMap(Servable servable) {
    return SignatureDefMap.newBuilder().putAllSignatureDef(servable.metaGraph().getSignatureDefMap()).build();
  }

}
