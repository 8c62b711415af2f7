package io.tessera.grpc;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.stub.StreamObserver;
import io.tessera.core.ServableHandle;
import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import io.tessera.image.DecodeDeadline;
import io.tessera.image.ImagePreprocessor;
import io.tessera.proto.serving.ClassificationRequest;
import io.tessera.proto.serving.ClassificationResponse;
import io.tessera.proto.serving.GetModelMetadataRequest;
import io.tessera.proto.serving.GetModelMetadataResponse;
import io.tessera.proto.serving.ModelSpec;
import io.tessera.proto.serving.MultiInferenceRequest;
import io.tessera.proto.serving.MultiInferenceResponse;
import io.tessera.proto.serving.PredictRequest;
import io.tessera.proto.serving.PredictResponse;
import io.tessera.proto.serving.PredictionServiceGrpc;
import io.tessera.proto.serving.RegressionRequest;
import io.tessera.proto.serving.RegressionResponse;
import io.tessera.proto.tf.DataType;
import io.tessera.proto.tf.TensorProto;
import io.tessera.servables.RunResult;
import io.tessera.servables.SavedModelBundle;
import io.tessera.servables.Signature;
import io.tessera.servables.SignatureRunner;
import io.tessera.servables.inference.InferenceRunner;
import io.tessera.serving.ModelResponses;
import io.tessera.serving.ServerCore;
import io.tessera.tensor.InputTensor;
import io.tessera.tensor.OutputTensor;
import io.tessera.tensor.TensorProtoCodec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** {@code tensorflow.serving.PredictionService} over the shared server core. Thread-safe. */
public final class PredictionServiceImpl extends PredictionServiceGrpc.PredictionServiceImplBase {
  private static final String SIGNATURE_DEF_FIELD = "signature_def";

  private final ServerCore core;
  private final boolean tensorContentOutputs;

  /** @param tensorContentOutputs --enable_serialization_as_tensor_content */
  public PredictionServiceImpl(ServerCore core, boolean tensorContentOutputs) {
    this.core = core;
    this.tensorContentOutputs = tensorContentOutputs;
  }

  @Override
  public void predict(PredictRequest request, StreamObserver<PredictResponse> observer) {
    GrpcStatuses.unary(observer, core.metrics(), request.getModelSpec().getName(), "Predict",
        () -> predict(request));
  }

  private PredictResponse predict(PredictRequest request) {
    ModelSpec spec = request.getModelSpec();
    try (ServableHandle<SavedModelBundle> handle = acquire(spec)) {
      SavedModelBundle bundle = handle.servable();
      Signature signature = bundle.signature(spec.getSignatureName());
      InferenceRunner.checkPredictMethod(signature, core.checkMethodNames());
      // Names first: nothing is decoded for a request that names inputs the signature lacks.
      SignatureRunner.checkInputs(signature, request.getInputsMap().keySet());
      Map<String, InputTensor> inputs = new LinkedHashMap<>();
      try {
        Optional<ImagePreprocessor> images = core.images().forBundle(bundle);
        for (Map.Entry<String, TensorProto> e : request.getInputsMap().entrySet()) {
          if (images.isPresent() && isEncodedImages(images.get(), e.getKey(), e.getValue())) {
            inputs.put(e.getKey(), images.get().decodeBatch(encodedImages(e.getValue()), decodeDeadline()));
          } else {
            TensorProtoCodec.checkDeclaredDtype(e.getKey(), e.getValue(),
                signature.inputs().get(e.getKey()).dtype());
            inputs.put(e.getKey(), TensorProtoCodec.decode(e.getKey(), e.getValue()));
          }
        }
        try (RunResult result = SignatureRunner.run(bundle, signature, inputs,
            request.getOutputFilterList(), new SignatureRunner.RunSettings(deadlineMillis()))) {
          core.metrics().recordRun(handle.id().name(), "Predict", result);
          PredictResponse.Builder response = PredictResponse.newBuilder()
              .setModelSpec(ModelResponses.resolvedSpec(handle.id().name(), handle.id().version(), signature.key()));
          for (OutputTensor output : result.outputs()) {
            response.putOutputs(output.alias(), TensorProtoCodec.encode(output, tensorContentOutputs));
          }
          return response.build();
        }
      } finally {
        inputs.values().forEach(InputTensor::close);
      }
    }
  }

  @Override
  public void getModelMetadata(GetModelMetadataRequest request,
      StreamObserver<GetModelMetadataResponse> observer) {
    GrpcStatuses.unary(observer, core.metrics(), request.getModelSpec().getName(), "GetModelMetadata", () -> {
      if (request.getMetadataFieldCount() == 0) {
        throw ServingException.invalidArgument(
            "GetModelMetadataRequest must specify at least one metadata_field");
      }
      for (String field : request.getMetadataFieldList()) {
        if (!field.equals(SIGNATURE_DEF_FIELD)) {
          throw ServingException.invalidArgument("Metadata field " + field + " is not supported");
        }
      }
      try (ServableHandle<SavedModelBundle> handle = acquire(request.getModelSpec())) {
        return GetModelMetadataResponse.newBuilder()
            .setModelSpec(ModelResponses.resolvedSpec(handle.id().name(), handle.id().version(), ""))
            .putMetadata(SIGNATURE_DEF_FIELD, Any.pack(ModelResponses.signatureDefMap(handle.servable())))
            .build();
      }
    });
  }

  @Override
  public void classify(ClassificationRequest request, StreamObserver<ClassificationResponse> observer) {
    GrpcStatuses.unary(observer, core.metrics(), request.getModelSpec().getName(), "Classify", () -> {
      try (ServableHandle<SavedModelBundle> handle = acquire(request.getModelSpec())) {
        Signature signature = handle.servable().signature(request.getModelSpec().getSignatureName());
        return ClassificationResponse.newBuilder()
            .setModelSpec(ModelResponses.resolvedSpec(handle.id().name(), handle.id().version(), signature.key()))
            .setResult(InferenceRunner.classify(handle.servable(), signature, request.getInput(),
                core.checkMethodNames(), new SignatureRunner.RunSettings(deadlineMillis())))
            .build();
      }
    });
  }

  @Override
  public void regress(RegressionRequest request, StreamObserver<RegressionResponse> observer) {
    GrpcStatuses.unary(observer, core.metrics(), request.getModelSpec().getName(), "Regress", () -> {
      try (ServableHandle<SavedModelBundle> handle = acquire(request.getModelSpec())) {
        Signature signature = handle.servable().signature(request.getModelSpec().getSignatureName());
        return RegressionResponse.newBuilder()
            .setModelSpec(ModelResponses.resolvedSpec(handle.id().name(), handle.id().version(), signature.key()))
            .setResult(InferenceRunner.regress(handle.servable(), signature, request.getInput(),
                core.checkMethodNames(), new SignatureRunner.RunSettings(deadlineMillis())))
            .build();
      }
    });
  }

  @Override
  public void multiInference(MultiInferenceRequest request, StreamObserver<MultiInferenceResponse> observer) {
    // Like TF Serving, MultiInference is not counted in request_count.
    GrpcStatuses.unary(observer, () -> MultiInference.run(core, request,
        new SignatureRunner.RunSettings(deadlineMillis())));
  }

  /** A DT_STRING tensor of encoded images for the model's image input (Tessera's image API). */
  private static boolean isEncodedImages(ImagePreprocessor images, String alias, TensorProto t) {
    return alias.equals(images.config().inputAlias()) && t.getDtype() == DataType.DT_STRING
        && t.getStringValCount() > 0;
  }

  private static List<byte[]> encodedImages(TensorProto t) {
    return t.getStringValList().stream().map(ByteString::toByteArray).toList();
  }

  /** Resolves a request's ModelSpec (version wins over label; neither = latest). */
  static ServableHandle<SavedModelBundle> acquire(ServerCore core, ModelSpec spec) {
    Long version = spec.hasVersion() ? spec.getVersion().getValue() : null;
    return core.acquire(spec.getName(), version, spec.getVersionLabel());
  }

  private ServableHandle<SavedModelBundle> acquire(ModelSpec spec) {
    return acquire(core, spec);
  }

  /** The client's gRPC deadline, for decoding encoded images. */
  private static DecodeDeadline decodeDeadline() {
    Deadline deadline = Context.current().getDeadline();
    return deadline == null ? DecodeDeadline.NONE
        : DecodeDeadline.afterNanos(deadline.timeRemaining(TimeUnit.NANOSECONDS));
  }

  /** The client's gRPC deadline becomes TensorFlow's run timeout (0 = none). */
  private static long deadlineMillis() {
    Deadline deadline = Context.current().getDeadline();
    if (deadline == null) {
      return 0;
    }
    long remaining = deadline.timeRemaining(TimeUnit.MILLISECONDS);
    if (remaining <= 0) {
      throw new ServingException(StatusCode.DEADLINE_EXCEEDED, "Deadline exceeded");
    }
    return remaining;
  }
}
