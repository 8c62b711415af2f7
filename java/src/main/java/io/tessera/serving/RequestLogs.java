package io.tessera.serving;

import com.google.protobuf.ByteString;
import com.google.protobuf.Int64Value;
import io.tessera.proto.serving.ClassificationRequest;
import io.tessera.proto.serving.ClassificationResponse;
import io.tessera.proto.serving.ClassifyLog;
import io.tessera.proto.serving.InferenceTask;
import io.tessera.proto.serving.LogMetadata;
import io.tessera.proto.serving.ModelSpec;
import io.tessera.proto.serving.MultiInferenceLog;
import io.tessera.proto.serving.MultiInferenceRequest;
import io.tessera.proto.serving.MultiInferenceResponse;
import io.tessera.proto.serving.PredictLog;
import io.tessera.proto.serving.PredictRequest;
import io.tessera.proto.serving.PredictResponse;
import io.tessera.proto.serving.PredictionLog;
import io.tessera.proto.serving.RegressLog;
import io.tessera.proto.serving.RegressionRequest;
import io.tessera.proto.serving.RegressionResponse;
import io.tessera.proto.tf.DataType;
import io.tessera.proto.tf.TensorProto;
import io.tessera.proto.tf.TensorShapeProto;
import io.tessera.requestlog.RequestLogger;
import io.tessera.tensor.InputTensor;
import io.tessera.tensor.OutputTensor;
import io.tessera.tensor.TensorProtoCodec;
import io.tessera.tensor.WireTensorData;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;

/**
 * The pipeline's request logging: for a call whose version has a request log and is sampled,
 * rebuilds the call as the TF Serving request message (whatever front end sent it: REST JSON
 * tensors become TensorProtos; encoded images stay encoded bytes, a DT_STRING tensor under the
 * image input, so logs stay small and replay through the image path), pairs it with the response
 * and hands the PredictionLog to the version's logger. Warmup replays are never logged. Runs on
 * the request thread only for sampled calls (the copy must be taken while the tensors are alive);
 * a call too large for the log queue is counted as dropped before anything is copied; queuing
 * never blocks. Stateless.
 */
final class RequestLogs {
  private RequestLogs() {}

  /** The version's logger when this call is to be logged, else null. */
  static RequestLogger sampled(ResolvedVersion version, Origin origin) {
    RequestLogger log = version.model().requestLog();
    return log != null && origin.entryPoint() != Origin.EntryPoint.WARMUP && log.sample() ? log : null;
  }

  /**
   * Logs a finished predict (call while its inputs and outputs are alive). A record that cannot
   * be built is dropped and counted; the call's answer is never affected.
   */
  static void predict(RequestLogger log, ResolvedVersion version, PredictCall call, String signatureKey,
      PredictInputs inputs, Map<String, InputTensor> tensors, String imageAlias, List<OutputTensor> outputs) {
    try {
      if (log.fits(predictBytes(inputs, tensors, outputs))) {
        buildPredict(log, version, call, signatureKey, inputs, tensors, imageAlias, outputs);
      }
    } catch (RuntimeException e) {
      log.notBuilt(e);
    }
  }

  /** About the bytes a predict record takes (strings' outputs count one byte per element). */
  private static long predictBytes(PredictInputs inputs, Map<String, InputTensor> tensors, List<OutputTensor> outputs) {
    long bytes = 0;
    if (inputs instanceof PredictInputs.Protos protos) {
      for (TensorProto t : protos.tensors().values()) {
        bytes += t.getSerializedSize();
      }
      for (WireTensorData moved : protos.data().values()) {
        bytes += moved.size();
      }
    } else if (inputs instanceof PredictInputs.Images images) {
      for (ByteBuffer image : images.encoded()) {
        bytes += image.remaining();
      }
    } else {
      for (InputTensor t : tensors.values()) {
        bytes += t.byteSize();
      }
    }
    for (OutputTensor t : outputs) {
      bytes += t.elementCount() * (t.dtype().isString() ? 1 : t.dtype().byteSize());
    }
    return bytes;
  }

  private static void buildPredict(RequestLogger log, ResolvedVersion version, PredictCall call, String signatureKey,
      PredictInputs inputs, Map<String, InputTensor> tensors, String imageAlias, List<OutputTensor> outputs) {
    PredictRequest.Builder request = PredictRequest.newBuilder()
        .setModelSpec(requestSpec(call.model(), call.signatureName()))
        .addAllOutputFilter(call.outputFilter());
    if (inputs instanceof PredictInputs.Protos protos) {
      // a transport that moved a field's bytes straight into the input buffer passed the proto
      // without it: put the values back as sent
      protos.tensors().forEach((alias, proto) -> {
        WireTensorData sent = protos.data().get(alias);
        request.putInputs(alias, sent == null ? proto : TensorProtoCodec.asSent(proto, sent, tensors.get(alias)));
      });
    } else if (inputs instanceof PredictInputs.Images images) {
      TensorProto.Builder encoded = TensorProto.newBuilder().setDtype(DataType.DT_STRING)
          .setTensorShape(TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dim.newBuilder()
              .setSize(images.encoded().size())));
      images.encoded().forEach(bytes -> encoded.addStringVal(ByteString.copyFrom(bytes.duplicate())));
      request.putInputs(imageAlias, encoded.build());
    } else {
      tensors.forEach((alias, tensor) -> request.putInputs(alias, tensor.toProto()));
    }
    PredictResponse.Builder response = PredictResponse.newBuilder()
        .setModelSpec(ModelResponses.resolvedSpec(version.id().name(), version.id().version(), signatureKey));
    for (OutputTensor output : outputs) {
      response.putOutputs(output.alias(), TensorProtoCodec.encode(output, false));
    }
    log.submit(PredictionLog.newBuilder().setLogMetadata(metadata(version, signatureKey))
        .setPredictLog(PredictLog.newBuilder().setRequest(request).setResponse(response)));
  }

  static void classify(RequestLogger log, ResolvedVersion version, ModelRef ref, ExamplesCall.Examples examples,
      ClassificationResponse response) {
    if (!log.fits(examples.input().getSerializedSize() + (long) response.getSerializedSize())) {
      return;
    }
    ClassificationRequest request = ClassificationRequest.newBuilder()
        .setModelSpec(requestSpec(ref, examples.signatureName())).setInput(examples.input()).build();
    log.submit(PredictionLog.newBuilder()
        .setLogMetadata(metadata(version, response.getModelSpec().getSignatureName()))
        .setClassifyLog(ClassifyLog.newBuilder().setRequest(request).setResponse(response)));
  }

  static void regress(RequestLogger log, ResolvedVersion version, ModelRef ref, ExamplesCall.Examples examples,
      RegressionResponse response) {
    if (!log.fits(examples.input().getSerializedSize() + (long) response.getSerializedSize())) {
      return;
    }
    RegressionRequest request = RegressionRequest.newBuilder()
        .setModelSpec(requestSpec(ref, examples.signatureName())).setInput(examples.input()).build();
    log.submit(PredictionLog.newBuilder()
        .setLogMetadata(metadata(version, response.getModelSpec().getSignatureName()))
        .setRegressLog(RegressLog.newBuilder().setRequest(request).setResponse(response)));
  }

  static void multiInference(RequestLogger log, ResolvedVersion version, MultiInferenceCall call,
      MultiInferenceResponse response) {
    if (!log.fits(call.input().getSerializedSize() + (long) response.getSerializedSize())) {
      return;
    }
    MultiInferenceRequest.Builder request = MultiInferenceRequest.newBuilder().setInput(call.input());
    for (MultiInferenceCall.Task task : call.tasks()) {
      request.addTasks(InferenceTask.newBuilder().setModelSpec(requestSpec(task.model(), task.signatureName()))
          .setMethodName(task.methodName()));
    }
    String signature = response.getResultsCount() == 0 ? ""
        : response.getResults(0).getModelSpec().getSignatureName();
    log.submit(PredictionLog.newBuilder().setLogMetadata(metadata(version, signature))
        .setMultiInferenceLog(MultiInferenceLog.newBuilder().setRequest(request).setResponse(response)));
  }

  /** TF Serving's LogMetadata.model_spec: the model name, the version that ran and the signature. */
  private static LogMetadata.Builder metadata(ResolvedVersion version, String signatureKey) {
    return LogMetadata.newBuilder()
        .setModelSpec(ModelResponses.resolvedSpec(version.id().name(), version.id().version(), signatureKey));
  }

  /** The spec as the client sent it (name, then version or label, and the signature it asked for). */
  private static ModelSpec requestSpec(ModelRef ref, String signatureName) {
    ModelSpec.Builder spec = ModelSpec.newBuilder().setName(ref.name()).setSignatureName(signatureName);
    if (ref.version() != null) {
      spec.setVersion(Int64Value.of(ref.version()));
    } else if (!ref.label().isEmpty()) {
      spec.setVersionLabel(ref.label());
    }
    return spec.build();
  }
}
