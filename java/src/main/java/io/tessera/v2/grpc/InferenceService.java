package io.tessera.v2.grpc;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.tessera.proto.inference.GRPCInferenceServiceGrpc;
import io.tessera.proto.inference.ModelInferRequest;
import io.tessera.proto.inference.ModelInferResponse;
import io.tessera.proto.inference.ModelMetadataRequest;
import io.tessera.proto.inference.ModelMetadataResponse;
import io.tessera.proto.inference.ModelReadyRequest;
import io.tessera.proto.inference.ModelReadyResponse;
import io.tessera.proto.inference.ModelRepositoryParameter;
import io.tessera.proto.inference.RepositoryIndexRequest;
import io.tessera.proto.inference.RepositoryIndexResponse;
import io.tessera.proto.inference.RepositoryModelLoadRequest;
import io.tessera.proto.inference.RepositoryModelLoadResponse;
import io.tessera.proto.inference.RepositoryModelUnloadRequest;
import io.tessera.proto.inference.RepositoryModelUnloadResponse;
import io.tessera.proto.inference.ServerLiveRequest;
import io.tessera.proto.inference.ServerLiveResponse;
import io.tessera.proto.inference.ServerMetadataRequest;
import io.tessera.proto.inference.ServerMetadataResponse;
import io.tessera.proto.inference.ServerReadyRequest;
import io.tessera.proto.inference.ServerReadyResponse;
import io.tessera.serving.CallDeadline;
import io.tessera.serving.DeclaredTensor;
import io.tessera.serving.Origin;
import io.tessera.serving.ServerCore;
import io.tessera.status.ErrorText;
import io.tessera.status.ServingException;
import io.tessera.v2.InferCalls;
import io.tessera.v2.ModelMetadata;
import io.tessera.v2.RepositoryCalls;
import io.tessera.v2.RepositoryIndex;
import io.tessera.v2.RequestedOutput;
import io.tessera.v2.ResultTensor;
import io.tessera.v2.V2Server;
import io.tessera.v2.V2Settings;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code inference.GRPCInferenceService} (see the package comment). Inference, model metadata
 * and readiness go through the pipeline (metrics with entrypoint GRPC; ModelInfer counts in
 * request_count as Predict does); failures are the pipeline's status codes with its message
 * (at most 1024 characters). Repository loads block the calling worker until the model is
 * AVAILABLE or failed (bounded by --reload_config_max_seconds). Thread-safe.
 */
public final class InferenceService extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {
  private static final Logger LOG = Logger.getLogger(InferenceService.class.getName());

  private final ServerCore core;
  private final V2Settings settings;

  public InferenceService(ServerCore core, V2Settings settings) {
    this.core = core;
    this.settings = settings;
  }

  @Override
  public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> observer) {
    unary(observer, () -> ServerLiveResponse.newBuilder().setLive(true).build());
  }

  @Override
  public void serverReady(ServerReadyRequest request, StreamObserver<ServerReadyResponse> observer) {
    unary(observer, () -> ServerReadyResponse.newBuilder().setReady(core.allModelsAvailable()).build());
  }

  @Override
  public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> observer) {
    unary(observer, () -> ModelReadyResponse.newBuilder().setReady(core.pipeline().ready(
        V2Server.model(request.getName(), request.getVersion()), Origin.grpc("ModelReady"))).build());
  }

  @Override
  public void serverMetadata(ServerMetadataRequest request, StreamObserver<ServerMetadataResponse> observer) {
    unary(observer, () -> ServerMetadataResponse.newBuilder().setName(V2Server.NAME).setVersion(V2Server.VERSION)
        .addAllExtensions(V2Server.EXTENSIONS).build());
  }

  @Override
  public void modelMetadata(ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> observer) {
    unary(observer, () -> {
      ModelMetadata m = ModelMetadata.of(core.pipeline().describe(
          V2Server.model(request.getName(), request.getVersion()), Origin.grpc("ModelMetadata")));
      ModelMetadataResponse.Builder response = ModelMetadataResponse.newBuilder()
          .setName(m.name()).addAllVersions(m.versions()).setPlatform(m.platform());
      m.inputs().forEach(t -> response.addInputs(tensor(t)));
      m.outputs().forEach(t -> response.addOutputs(tensor(t)));
      return response.build();
    });
  }

  private static ModelMetadataResponse.TensorMetadata tensor(ModelMetadata.TensorMeta t) {
    ModelMetadataResponse.TensorMetadata.Builder b = ModelMetadataResponse.TensorMetadata.newBuilder()
        .setName(t.name()).setDatatype(t.datatype());
    for (long d : t.shape()) {
      b.addShape(d);
    }
    return b.build();
  }

  @Override
  public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> observer) {
    unary(observer, () -> {
      var model = V2Server.model(request.getModelName(), request.getModelVersion());
      List<RequestedOutput> outputs = request.getOutputsList().stream().map(o -> new RequestedOutput(o.getName(),
          false, o.containsParameters("classification")
              ? (int) Math.min(Integer.MAX_VALUE, o.getParametersOrThrow("classification").getInt64Param()) : 0))
          .toList();
      boolean raw = request.getRawInputContentsCount() > 0;
      Map<String, DeclaredTensor> inputs = InferContents.inputs(request);  // the pipeline's from here
      return core.pipeline().predict(InferCalls.predict(model, inputs, outputs, deadline(),
          Origin.grpc(InferCalls.INFER)), ran -> {
            ModelInferResponse.Builder response = ModelInferResponse.newBuilder()
                .setModelName(ran.id().name()).setModelVersion(Long.toString(ran.id().version()))
                .setId(request.getId());
            InferContents.outputs(ResultTensor.of(ran), raw, response);
            return response.build();
          });
    });
  }

  @Override
  public void repositoryIndex(RepositoryIndexRequest request, StreamObserver<RepositoryIndexResponse> observer) {
    unary(observer, () -> {
      RepositoryIndexResponse.Builder response = RepositoryIndexResponse.newBuilder();
      for (RepositoryIndex.Row row : RepositoryIndex.rows(core.repository().index(), request.getReady())) {
        response.addModelsBuilder().setName(row.name()).setVersion(row.version()).setState(row.state())
            .setReason(row.reason());
      }
      return response.build();
    });
  }

  @Override
  public void repositoryModelLoad(RepositoryModelLoadRequest request,
      StreamObserver<RepositoryModelLoadResponse> observer) {
    unary(observer, () -> {
      ModelRepositoryParameter path = request.getParametersMap().get(RepositoryCalls.BASE_PATH);
      if (path != null && path.getParameterChoiceCase() != ModelRepositoryParameter.ParameterChoiceCase.STRING_PARAM) {
        throw ServingException.invalidArgument(RepositoryCalls.BASE_PATH + " must be a string_param");
      }
      RepositoryCalls.load(core, settings, request.getModelName(), path == null ? null : path.getStringParam());
      return RepositoryModelLoadResponse.getDefaultInstance();
    });
  }

  @Override
  public void repositoryModelUnload(RepositoryModelUnloadRequest request,
      StreamObserver<RepositoryModelUnloadResponse> observer) {
    unary(observer, () -> {
      RepositoryCalls.unload(core, settings, request.getModelName());
      return RepositoryModelUnloadResponse.getDefaultInstance();
    });
  }

  private static CallDeadline deadline() {
    Deadline deadline = Context.current().getDeadline();
    return deadline == null ? CallDeadline.NONE : CallDeadline.afterNanos(deadline.timeRemaining(TimeUnit.NANOSECONDS));
  }

  /** Runs one call: its answer, or its ServingException as that status (unexpected failures: INTERNAL). */
  private static <T> void unary(StreamObserver<T> observer, Supplier<T> call) {
    T response;
    try {
      response = call.get();
    } catch (ServingException e) {
      observer.onError(Status.fromCodeValue(e.code().number()).withDescription(ErrorText.truncate(e.getMessage()))
          .asRuntimeException());
      return;
    } catch (RuntimeException e) {
      LOG.log(Level.SEVERE, "v2 gRPC call failed", e);
      observer.onError(Status.INTERNAL.withDescription(ErrorText.truncate(String.valueOf(e.getMessage())))
          .asRuntimeException());
      return;
    }
    observer.onNext(response);
    observer.onCompleted();
  }
}
