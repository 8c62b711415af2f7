package io.tessera.grpc;

import com.google.protobuf.Any;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.MethodDescriptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.tessera.proto.serving.ClassificationRequest;
import io.tessera.proto.serving.ClassificationResponse;
import io.tessera.proto.serving.GetModelMetadataRequest;
import io.tessera.proto.serving.GetModelMetadataResponse;
import io.tessera.proto.serving.ModelSpec;
import io.tessera.proto.serving.MultiInferenceRequest;
import io.tessera.proto.serving.MultiInferenceResponse;
import io.tessera.proto.serving.PredictRequest;
import io.tessera.proto.serving.PredictionServiceGrpc;
import io.tessera.proto.serving.RegressionRequest;
import io.tessera.proto.serving.RegressionResponse;
import io.tessera.serving.CallDeadline;
import io.tessera.serving.ExamplesCall;
import io.tessera.serving.MetadataCall;
import io.tessera.serving.ModelRef;
import io.tessera.serving.ModelResponses;
import io.tessera.serving.MultiInferenceCall;
import io.tessera.serving.Origin;
import io.tessera.serving.Pipeline;
import io.tessera.serving.PredictCall;
import io.tessera.serving.PredictInputs;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code tensorflow.serving.PredictionService}: decodes each request into the pipeline's typed
 * call (wire tensors stay protos until the pipeline knows the signature) and encodes the result;
 * version resolution, checks, image decoding, runs and metrics are the {@link Pipeline}'s.
 * Thread-safe.
 */
public final class PredictionServiceImpl extends PredictionServiceGrpc.PredictionServiceImplBase {
  static final MethodDescriptor<IncomingPredict, OutgoingPredict> PREDICT = PredictionServiceGrpc.getPredictMethod()
      .toBuilder(new PredictRequestMarshaller(), new PredictResponseMarshaller()).build();

  private final Pipeline pipeline;
  private final boolean tensorContentOutputs;

  /** @param tensorContentOutputs --enable_serialization_as_tensor_content */
  public PredictionServiceImpl(Pipeline pipeline, boolean tensorContentOutputs) {
    this.pipeline = pipeline;
    this.tensorContentOutputs = tensorContentOutputs;
  }

  /**
   * What to register: the generated service with Predict replaced by the zero-copy one: requests parsed by {@link
   * PredictRequestMarshaller} (tensor bytes straight into native input buffers), responses written
   * by {@link PredictResponseMarshaller} (from TensorFlow's output buffers).
   */
  ServerServiceDefinition definition() {
    ServerServiceDefinition generated = bindService();
    List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
    for (ServerMethodDefinition<?, ?> m : generated.getMethods()) {
      if (!m.getMethodDescriptor().getFullMethodName().equals(PREDICT.getFullMethodName())) {
        methods.add(m);
      }
    }
    methods.add(ServerMethodDefinition.create(PREDICT, ServerCalls.asyncUnaryCall(this::predict)));
    // the schema descriptor (the .proto) stays, for gRPC reflection
    ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(generated.getServiceDescriptor().getName())
        .setSchemaDescriptor(generated.getServiceDescriptor().getSchemaDescriptor());
    methods.forEach(m -> descriptor.addMethod(m.getMethodDescriptor()));
    ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(descriptor.build());
    methods.forEach(b::addMethod);
    return b.build();
  }

  private void predict(IncomingPredict incoming, StreamObserver<OutgoingPredict> observer) {
    GrpcStatuses.unary(observer, "Predict", () -> {
      PredictRequest request = incoming.request();
      ModelSpec spec = request.getModelSpec();
      PredictCall call = new PredictCall(ref(request.hasModelSpec(), spec), spec.getSignatureName(),
          new PredictInputs.Protos(request.getInputsMap(), false, incoming.claim()), request.getOutputFilterList(),
          deadline(), Origin.grpc("Predict"));
      return pipeline.predict(call, ran -> new OutgoingPredict(
          ModelResponses.resolvedSpec(ran.id().name(), ran.id().version(), ran.signatureKey()),
          ran.outputs(), tensorContentOutputs, ran.keepOutputs()));
    });
  }

  @Override
  public void getModelMetadata(GetModelMetadataRequest request,
      StreamObserver<GetModelMetadataResponse> observer) {
    GrpcStatuses.unary(observer, "GetModelMetadata", () -> {
      Pipeline.Metadata metadata = pipeline.metadata(new MetadataCall(
          ref(request.hasModelSpec(), request.getModelSpec()),
          request.getMetadataFieldList(), Origin.grpc("GetModelMetadata")));
      return GetModelMetadataResponse.newBuilder()
          .setModelSpec(metadata.spec())
          .putMetadata(Pipeline.SIGNATURE_DEF_FIELD, Any.pack(metadata.signatureDefs()))
          .build();
    });
  }

  @Override
  public void classify(ClassificationRequest request, StreamObserver<ClassificationResponse> observer) {
    GrpcStatuses.unary(observer, "Classify", () -> pipeline.classify(ExamplesCall.of(
        ref(request.hasModelSpec(), request.getModelSpec()),
        request.getModelSpec().getSignatureName(), request.getInput(), deadline(), Origin.grpc("Classify"))));
  }

  @Override
  public void regress(RegressionRequest request, StreamObserver<RegressionResponse> observer) {
    GrpcStatuses.unary(observer, "Regress", () -> pipeline.regress(ExamplesCall.of(
        ref(request.hasModelSpec(), request.getModelSpec()),
        request.getModelSpec().getSignatureName(), request.getInput(), deadline(), Origin.grpc("Regress"))));
  }

  @Override
  public void multiInference(MultiInferenceRequest request, StreamObserver<MultiInferenceResponse> observer) {
    GrpcStatuses.unary(observer, "MultiInference", () -> pipeline.multiInference(new MultiInferenceCall(
        request.getTasksList().stream().map(task -> new MultiInferenceCall.Task(ref(true, task.getModelSpec()),
            task.getModelSpec().getSignatureName(), task.getMethodName())).toList(),
        request.getInput(), deadline(), Origin.grpc("MultiInference"))));
  }

  /**
   * A request's ModelSpec as the pipeline's reference (version wins over label; neither = latest);
   * {@link ModelRef#MISSING_SPEC} when the request has none (TF Serving's "Missing ModelSpec").
   */
  private static ModelRef ref(boolean present, ModelSpec spec) {
    return !present ? ModelRef.MISSING_SPEC : new ModelRef(spec.getName(),
        spec.hasVersion() ? spec.getVersion().getValue() : null, spec.getVersionLabel());
  }

  /** The client's gRPC deadline (none when it set none). */
  private static CallDeadline deadline() {
    Deadline deadline = Context.current().getDeadline();
    return deadline == null ? CallDeadline.NONE
        : CallDeadline.afterNanos(deadline.timeRemaining(TimeUnit.NANOSECONDS));
  }
}
