package io.tessera.proto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import io.tessera.proto.serving.ClassificationRequest;
import io.tessera.proto.serving.GetModelMetadataResponse;
import io.tessera.proto.serving.GetModelStatusResponse;
import io.tessera.proto.serving.ModelServiceGrpc;
import io.tessera.proto.serving.ModelVersionStatus;
import io.tessera.proto.serving.PredictionServiceGrpc;
import io.tessera.proto.serving.SessionServiceGrpc;
import io.tessera.proto.serving.SignatureDefMap;
import io.tessera.proto.tf.Code;
import io.tessera.proto.tf.DataType;
import io.tessera.proto.tf.TensorProto;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Byte-level round trips of status, metadata and classification messages between Camel's
 * independently generated TF Serving classes and ours, and identical gRPC method names.
 */
class WireCompatibilityTest {
  @Test
  void getModelStatusResponse() throws Exception {
    tensorflow.serving.GetModelStatus.GetModelStatusResponse camel =
        tensorflow.serving.GetModelStatus.GetModelStatusResponse.newBuilder()
            .addModelVersionStatus(
                tensorflow.serving.GetModelStatus.ModelVersionStatus.newBuilder()
                    .setVersion(2)
                    .setState(tensorflow.serving.GetModelStatus.ModelVersionStatus.State.AVAILABLE)
                    .setStatus(
                        tensorflow.serving.Status.StatusProto.newBuilder()
                            .setErrorCode(org.tensorflow.framework.Code.OK)))
            .addModelVersionStatus(
                tensorflow.serving.GetModelStatus.ModelVersionStatus.newBuilder()
                    .setVersion(1)
                    .setState(tensorflow.serving.GetModelStatus.ModelVersionStatus.State.END)
                    .setStatus(
                        tensorflow.serving.Status.StatusProto.newBuilder()
                            .setErrorCode(org.tensorflow.framework.Code.NOT_FOUND)
                            .setErrorMessage("gone")))
            .build();
    GetModelStatusResponse ours =
        RoundTrips.roundTrip(
            camel,
            GetModelStatusResponse.parser(),
            tensorflow.serving.GetModelStatus.GetModelStatusResponse.parser());
    assertEquals(ModelVersionStatus.State.AVAILABLE, ours.getModelVersionStatus(0).getState());
    assertEquals(Code.NOT_FOUND, ours.getModelVersionStatus(1).getStatus().getErrorCode());
    assertEquals("gone", ours.getModelVersionStatus(1).getStatus().getErrorMessage());

    for (tensorflow.serving.GetModelStatus.ModelVersionStatus.State s :
        tensorflow.serving.GetModelStatus.ModelVersionStatus.State.values()) {
      if (s != tensorflow.serving.GetModelStatus.ModelVersionStatus.State.UNRECOGNIZED) {
        assertEquals(s.getNumber(), ModelVersionStatus.State.valueOf(s.name()).getNumber());
      }
    }
  }

  @Test
  void getModelMetadataResponseWithSignatureDefMapInAny() throws Exception {
    org.tensorflow.framework.SignatureDef sig =
        org.tensorflow.framework.SignatureDef.newBuilder()
            .putInputs(
                "x",
                org.tensorflow.framework.TensorInfo.newBuilder()
                    .setName("serving_default_x:0")
                    .setDtype(org.tensorflow.framework.DataType.DT_FLOAT)
                    .setTensorShape(RoundTrips.camelShape(-1, 1))
                    .build())
            .putInputs(
                "sp",
                org.tensorflow.framework.TensorInfo.newBuilder()
                    .setCooSparse(
                        org.tensorflow.framework.TensorInfo.CooSparse.newBuilder()
                            .setValuesTensorName("v:0")
                            .setIndicesTensorName("i:0")
                            .setDenseShapeTensorName("s:0"))
                    .setDtype(org.tensorflow.framework.DataType.DT_INT64)
                    .build())
            .putOutputs(
                "y",
                org.tensorflow.framework.TensorInfo.newBuilder()
                    .setName("StatefulPartitionedCall:0")
                    .setDtype(org.tensorflow.framework.DataType.DT_FLOAT)
                    .setTensorShape(
                        org.tensorflow.framework.TensorShapeProto.newBuilder().setUnknownRank(true))
                    .build())
            .setMethodName("tensorflow/serving/predict")
            .putDefaults(
                "x",
                org.tensorflow.framework.TensorProto.newBuilder()
                    .setDtype(org.tensorflow.framework.DataType.DT_FLOAT)
                    .addFloatVal(0f)
                    .build())
            .build();
    tensorflow.serving.GetModelMetadata.SignatureDefMap map =
        tensorflow.serving.GetModelMetadata.SignatureDefMap.newBuilder()
            .putSignatureDef("serving_default", sig)
            .putSignatureDef(
                "__saved_model_init_op",
                org.tensorflow.framework.SignatureDef.newBuilder()
                    .putOutputs(
                        "__saved_model_init_op",
                        org.tensorflow.framework.TensorInfo.newBuilder().setName("NoOp").build())
                    .build())
            .build();
    tensorflow.serving.GetModelMetadata.GetModelMetadataResponse camel =
        tensorflow.serving.GetModelMetadata.GetModelMetadataResponse.newBuilder()
            .setModelSpec(RoundTrips.camelSpec())
            .putMetadata("signature_def", Any.pack(map))
            .build();

    GetModelMetadataResponse ours =
        RoundTrips.roundTrip(
            camel,
            GetModelMetadataResponse.parser(),
            tensorflow.serving.GetModelMetadata.GetModelMetadataResponse.parser());
    Any any = ours.getMetadataOrThrow("signature_def");
    assertEquals("type.googleapis.com/tensorflow.serving.SignatureDefMap", any.getTypeUrl());
    SignatureDefMap ourMap = any.unpack(SignatureDefMap.class);
    RoundTrips.assertNoUnknownFields(ourMap, "SignatureDefMap");
    io.tessera.proto.tf.SignatureDef s = ourMap.getSignatureDefOrThrow("serving_default");
    assertEquals("tensorflow/serving/predict", s.getMethodName());
    assertEquals("serving_default_x:0", s.getInputsOrThrow("x").getName());
    assertEquals("i:0", s.getInputsOrThrow("sp").getCooSparse().getIndicesTensorName());
    assertTrue(s.getOutputsOrThrow("y").getTensorShape().getUnknownRank());
    assertArrayEquals(map.toByteArray(), ourMap.toByteArray());

    // Our own packing produces the same type URL Camel expects.
    GetModelMetadataResponse built =
        GetModelMetadataResponse.newBuilder().putMetadata("signature_def", Any.pack(ourMap)).build();
    tensorflow.serving.GetModelMetadata.GetModelMetadataResponse parsed =
        tensorflow.serving.GetModelMetadata.GetModelMetadataResponse.parseFrom(built.toByteArray());
    assertEquals(
        map,
        parsed.getMetadataOrThrow("signature_def")
            .unpack(tensorflow.serving.GetModelMetadata.SignatureDefMap.class));
  }

  @Test
  void classificationRequestWithExamples() throws Exception {
    org.tensorflow.example.Example ex1 =
        org.tensorflow.example.Example.newBuilder()
            .setFeatures(
                org.tensorflow.example.Features.newBuilder()
                    .putFeature(
                        "age",
                        org.tensorflow.example.Feature.newBuilder()
                            .setInt64List(
                                org.tensorflow.example.Int64List.newBuilder().addValue(42).addValue(-1))
                            .build())
                    .putFeature(
                        "score",
                        org.tensorflow.example.Feature.newBuilder()
                            .setFloatList(
                                org.tensorflow.example.FloatList.newBuilder().addValue(0.25f))
                            .build())
                    .putFeature(
                        "name",
                        org.tensorflow.example.Feature.newBuilder()
                            .setBytesList(
                                org.tensorflow.example.BytesList.newBuilder()
                                    .addValue(ByteString.copyFromUtf8("ada")))
                            .build()))
            .build();
    org.tensorflow.example.Example ctx =
        org.tensorflow.example.Example.newBuilder()
            .setFeatures(
                org.tensorflow.example.Features.newBuilder()
                    .putFeature(
                        "country",
                        org.tensorflow.example.Feature.newBuilder()
                            .setBytesList(
                                org.tensorflow.example.BytesList.newBuilder()
                                    .addValue(ByteString.copyFromUtf8("NZ")))
                            .build()))
            .build();

    tensorflow.serving.Classification.ClassificationRequest plain =
        tensorflow.serving.Classification.ClassificationRequest.newBuilder()
            .setModelSpec(RoundTrips.camelSpec())
            .setInput(
                tensorflow.serving.InputOuterClass.Input.newBuilder()
                    .setExampleList(
                        tensorflow.serving.InputOuterClass.ExampleList.newBuilder()
                            .addExamples(ex1)
                            .addExamples(org.tensorflow.example.Example.getDefaultInstance())))
            .build();
    ClassificationRequest ours =
        RoundTrips.roundTrip(
            plain,
            ClassificationRequest.parser(),
            tensorflow.serving.Classification.ClassificationRequest.parser());
    assertEquals(2, ours.getInput().getExampleList().getExamplesCount());
    assertEquals(
        42L,
        ours.getInput().getExampleList().getExamples(0).getFeatures()
            .getFeatureOrThrow("age").getInt64List().getValue(0));

    tensorflow.serving.Classification.ClassificationRequest withContext =
        tensorflow.serving.Classification.ClassificationRequest.newBuilder()
            .setModelSpec(RoundTrips.camelSpec())
            .setInput(
                tensorflow.serving.InputOuterClass.Input.newBuilder()
                    .setExampleListWithContext(
                        tensorflow.serving.InputOuterClass.ExampleListWithContext.newBuilder()
                            .addExamples(ex1)
                            .setContext(ctx)))
            .build();
    ClassificationRequest ours2 =
        RoundTrips.roundTrip(
            withContext,
            ClassificationRequest.parser(),
            tensorflow.serving.Classification.ClassificationRequest.parser());
    assertEquals(
        "NZ",
        ours2.getInput().getExampleListWithContext().getContext().getFeatures()
            .getFeatureOrThrow("country").getBytesList().getValue(0).toStringUtf8());

    tensorflow.serving.Classification.ClassificationResponse resp =
        tensorflow.serving.Classification.ClassificationResponse.newBuilder()
            .setModelSpec(RoundTrips.camelSpec())
            .setResult(
                tensorflow.serving.Classification.ClassificationResult.newBuilder()
                    .addClassifications(
                        tensorflow.serving.Classification.Classifications.newBuilder()
                            .addClasses(
                                tensorflow.serving.Classification.Class.newBuilder()
                                    .setLabel("cat").setScore(0.9f))
                            .addClasses(
                                tensorflow.serving.Classification.Class.newBuilder()
                                    .setLabel("dog").setScore(0.1f))))
            .build();
    io.tessera.proto.serving.ClassificationResponse r =
        RoundTrips.roundTrip(
            resp,
            io.tessera.proto.serving.ClassificationResponse.parser(),
            tensorflow.serving.Classification.ClassificationResponse.parser());
    assertEquals("dog", r.getResult().getClassifications(0).getClasses(1).getLabel());
  }

  @Test
  void grpcMethodNamesMatch() {
    Map<String, String> pairs = new HashMap<>();
    pairs.put(
        PredictionServiceGrpc.getPredictMethod().getFullMethodName(),
        tensorflow.serving.PredictionServiceGrpc.getPredictMethod().getFullMethodName());
    pairs.put(
        PredictionServiceGrpc.getClassifyMethod().getFullMethodName(),
        tensorflow.serving.PredictionServiceGrpc.getClassifyMethod().getFullMethodName());
    pairs.put(
        PredictionServiceGrpc.getRegressMethod().getFullMethodName(),
        tensorflow.serving.PredictionServiceGrpc.getRegressMethod().getFullMethodName());
    pairs.put(
        PredictionServiceGrpc.getMultiInferenceMethod().getFullMethodName(),
        tensorflow.serving.PredictionServiceGrpc.getMultiInferenceMethod().getFullMethodName());
    pairs.put(
        PredictionServiceGrpc.getGetModelMetadataMethod().getFullMethodName(),
        tensorflow.serving.PredictionServiceGrpc.getGetModelMetadataMethod().getFullMethodName());
    pairs.put(
        ModelServiceGrpc.getGetModelStatusMethod().getFullMethodName(),
        tensorflow.serving.ModelServiceGrpc.getGetModelStatusMethod().getFullMethodName());
    pairs.put(
        ModelServiceGrpc.getHandleReloadConfigRequestMethod().getFullMethodName(),
        tensorflow.serving.ModelServiceGrpc.getHandleReloadConfigRequestMethod().getFullMethodName());
    pairs.put(
        SessionServiceGrpc.getSessionRunMethod().getFullMethodName(),
        tensorflow.serving.SessionServiceGrpc.getSessionRunMethod().getFullMethodName());
    pairs.forEach((ours, theirs) -> assertEquals(theirs, ours));
    assertEquals(
        "tensorflow.serving.PredictionService/Predict",
        PredictionServiceGrpc.getPredictMethod().getFullMethodName());
    assertEquals(
        "tensorflow.serving.ModelService/GetModelStatus",
        ModelServiceGrpc.getGetModelStatusMethod().getFullMethodName());

    assertEquals(
        tensorflow.serving.PredictionServiceGrpc.getServiceDescriptor().getMethods().size(),
        PredictionServiceGrpc.getServiceDescriptor().getMethods().size());
    assertEquals(
        tensorflow.serving.ModelServiceGrpc.getServiceDescriptor().getMethods().size(),
        ModelServiceGrpc.getServiceDescriptor().getMethods().size());
  }
}
