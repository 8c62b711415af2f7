package io.tessera.grpc;

import io.grpc.stub.StreamObserver;
import io.tessera.proto.serving.GetModelStatusRequest;
import io.tessera.proto.serving.GetModelStatusResponse;
import io.tessera.proto.serving.ModelServiceGrpc;
import io.tessera.proto.serving.ModelSpec;
import io.tessera.proto.serving.ReloadConfigRequest;
import io.tessera.proto.serving.ReloadConfigResponse;
import io.tessera.proto.serving.StatusProto;
import io.tessera.server.ModelResponses;
import io.tessera.server.ServerCore;

/** {@code tensorflow.serving.ModelService}. Like TF Serving, status ignores version labels. */
public final class ModelServiceImpl extends ModelServiceGrpc.ModelServiceImplBase {
  private final ServerCore core;

  public ModelServiceImpl(ServerCore core) {
    this.core = core;
  }

  @Override
  public void getModelStatus(GetModelStatusRequest request, StreamObserver<GetModelStatusResponse> observer) {
    GrpcStatuses.unary(observer, () -> {
      ModelSpec spec = request.getModelSpec();
      Long version = spec.hasVersion() ? spec.getVersion().getValue() : null;
      return ModelResponses.status(core.status(spec.getName(), version));
    });
  }

  @Override
  public void handleReloadConfigRequest(ReloadConfigRequest request,
      StreamObserver<ReloadConfigResponse> observer) {
    // Synchronous as in TF Serving: answers once new models are AVAILABLE or have failed.
    GrpcStatuses.unary(observer, () -> {
      core.reloadConfig(request.getConfig());
      return ReloadConfigResponse.newBuilder().setStatus(StatusProto.getDefaultInstance()).build();
    });
  }
}
