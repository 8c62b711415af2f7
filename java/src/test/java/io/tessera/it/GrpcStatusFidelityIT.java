package io.tessera.it;

import static io.tessera.it.ClassifyRegressFidelityIT.assertGrpc;
import static io.tessera.it.ClassifyRegressFidelityIT.assertGrpcStartsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import com.google.protobuf.Int64Value;
import io.grpc.Status;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.example.Example;
import org.tensorflow.example.Feature;
import org.tensorflow.example.Features;
import org.tensorflow.example.FloatList;
import org.tensorflow.framework.DataType;
import org.tensorflow.framework.TensorProto;
import org.tensorflow.framework.TensorShapeProto;
import tensorflow.serving.Classification.ClassificationRequest;
import tensorflow.serving.GetModelMetadata.GetModelMetadataRequest;
import tensorflow.serving.GetModelStatus.GetModelStatusRequest;
import tensorflow.serving.Inference.InferenceTask;
import tensorflow.serving.Inference.MultiInferenceRequest;
import tensorflow.serving.InputOuterClass.ExampleList;
import tensorflow.serving.InputOuterClass.Input;
import tensorflow.serving.Model.ModelSpec;
import tensorflow.serving.ModelServiceGrpc;
import tensorflow.serving.Predict.PredictRequest;
import tensorflow.serving.PredictionServiceGrpc;
import tensorflow.serving.RegressionOuterClass.RegressionRequest;

/**
 * gRPC status codes and texts as TF Serving's sources give them, for every PredictionService and
 * ModelService error path a client can reach on saved_model_half_plus_two_2_versions (versions
 * 123 and 124; serving_default takes x [-1,1] float and gives y). Each test names the file and
 * function in tensorflow/serving (or TensorFlow) it follows.
 */
class GrpcStatusFidelityIT {
  private static final String CLASSIFY = "tensorflow/serving/classify";
  private static final String REGRESS = "tensorflow/serving/regress";
  private static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start("default", TestServer.shared("testdata/saved_model_half_plus_two_2_versions"));
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
    TestServer.assertNoLeaks();
  }

  /**
   * predict_impl.cc TensorflowPredictor::Predict, classification_service.cc, regression_service.cc,
   * get_model_metadata_impl.cc (before the metadata fields are checked) and get_model_status_impl.cc.
   */
  @Test
  void aRequestWithoutModelSpecIsMissingModelSpec() {
    String missing = "Missing ModelSpec";
    assertGrpc(Status.Code.INVALID_ARGUMENT, missing, () -> stub().predict(PredictRequest.newBuilder()
        .putInputs("x", floats(2, 1, 1f, 2f)).build()));
    assertGrpc(Status.Code.INVALID_ARGUMENT, missing, () -> stub().classify(ClassificationRequest.newBuilder()
        .setInput(oneExample()).build()));
    assertGrpc(Status.Code.INVALID_ARGUMENT, missing, () -> stub().regress(RegressionRequest.newBuilder()
        .setInput(oneExample()).build()));
    assertGrpc(Status.Code.INVALID_ARGUMENT, missing, () -> stub().getModelMetadata(
        GetModelMetadataRequest.getDefaultInstance()));
    assertGrpc(Status.Code.INVALID_ARGUMENT, missing, () -> ModelServiceGrpc.newBlockingStub(server.channel())
        .getModelStatus(GetModelStatusRequest.getDefaultInstance()));
  }

  /** server_core.cc ServableRequestFromModelSpec; get_model_status_impl.cc looks the empty name up. */
  @Test
  void aModelSpecWithoutNameIsNotAMissingModelSpec() {
    String noName = "ModelSpec has no name specified.";
    ModelSpec empty = ModelSpec.getDefaultInstance();
    assertGrpc(Status.Code.INVALID_ARGUMENT, noName, () -> stub().predict(PredictRequest.newBuilder()
        .setModelSpec(empty).putInputs("x", floats(2, 1, 1f, 2f)).build()));
    assertGrpc(Status.Code.INVALID_ARGUMENT, noName, () -> stub().getModelMetadata(GetModelMetadataRequest
        .newBuilder().setModelSpec(empty).addMetadataField("signature_def").build()));
    assertGrpc(Status.Code.NOT_FOUND, "Could not find any versions of model ", () -> ModelServiceGrpc
        .newBlockingStub(server.channel()).getModelStatus(GetModelStatusRequest.newBuilder().setModelSpec(empty).build()));
  }

  /** basic_manager.cc ServingMap::GetUntypedServableHandle; server_core.cc GetModelVersionForLabel. */
  @Test
  void unknownModelsVersionsAndLabels() {
    assertGrpc(Status.Code.NOT_FOUND, "Servable not found for request: Latest(nope)", () -> stub().predict(
        predict(ModelSpec.newBuilder().setName("nope").build(), "x", floats(2, 1, 1f, 2f))));
    assertGrpc(Status.Code.NOT_FOUND, "Servable not found for request: Specific(default, 7)", () -> stub().predict(
        predict(ModelSpec.newBuilder().setName("default").setVersion(Int64Value.of(7)).build(), "x",
            floats(2, 1, 1f, 2f))));
    assertGrpc(Status.Code.INVALID_ARGUMENT, "Unrecognized servable version label: canary", () -> stub().predict(
        predict(ModelSpec.newBuilder().setName("default").setVersionLabel("canary").build(), "x",
            floats(2, 1, 1f, 2f))));
    assertGrpc(Status.Code.NOT_FOUND, "Could not find version 7 of model default", () -> ModelServiceGrpc
        .newBlockingStub(server.channel()).getModelStatus(GetModelStatusRequest.newBuilder()
            .setModelSpec(ModelSpec.newBuilder().setName("default").setVersion(Int64Value.of(7))).build()));
  }

  /** predict_util.cc RunPredict: FAILED_PRECONDITION on gRPC (REST's GetInfoMap says INVALID_ARGUMENT first). */
  @Test
  void anUnknownPredictSignatureIsAFailedPrecondition() throws Exception {
    assertGrpc(Status.Code.FAILED_PRECONDITION, "Serving signature key \"nope\" not found.", () -> stub().predict(
        predict(ModelSpec.newBuilder().setName("default").setSignatureName("nope").build(), "x", floats(2, 1, 1f, 2f))));
    HttpResponse<String> rest = server.post("/v1/models/default:predict",
        "{\"signature_name\": \"nope\", \"instances\": [[1.0]]}");
    assertEquals(400, rest.statusCode(), rest.body());
    assertEquals("Serving signature name: \"nope\" not found in signature def",
        TestServer.json(rest).get("error").asText());
  }

  /** tensorflow/cc/saved_model/util.cc GetInputValues: what Tensor::FromProto refuses. */
  @Test
  void tensorsTensorFlowCannotParseAreATensorParsingError() {
    String expected = "tensor parsing error: x";
    TensorProto shortContent = shaped(DataType.DT_FLOAT, 2, 1).setTensorContent(ByteString.copyFrom(new byte[4])).build();
    TensorProto longContent = shaped(DataType.DT_FLOAT, 2, 1).setTensorContent(ByteString.copyFrom(new byte[12])).build();
    TensorProto unknownRank = TensorProto.newBuilder().setDtype(DataType.DT_FLOAT)
        .setTensorShape(TensorShapeProto.newBuilder().setUnknownRank(true)).addFloatVal(1f).build();
    TensorProto negative = shaped(DataType.DT_FLOAT, -1, 1).addFloatVal(1f).build();
    TensorProto noDtype = shaped(DataType.DT_INVALID, 1, 1).addFloatVal(1f).build();
    for (TensorProto t : List.of(shortContent, longContent, unknownRank, negative, noDtype)) {
      assertGrpc(Status.Code.INVALID_ARGUMENT, expected, () -> stub().predict(predict(spec(), "x", t)));
    }
  }

  /** tensor.cc FromProtoField: more typed values than elements are ignored (the first n are read). */
  @Test
  void moreValuesThanTheShapeHoldsAreIgnored() {
    TensorProto three = shaped(DataType.DT_FLOAT, 2, 1).addFloatVal(2f).addFloatVal(4f).addFloatVal(6f).build();
    assertEquals(List.of(3f, 4f), stub().predict(predict(spec(), "x", three)).getOutputsOrThrow("y").getFloatValList());
  }

  /** predict_util.cc VerifyRequestInputsSize, then saved_model/util.cc GetInputValues. */
  @Test
  void inputNamesAreCheckedInTfServingsSteps() {
    assertGrpc(Status.Code.INVALID_ARGUMENT, "input size does not match signature: 2!=1 len({x,z}) != len({x}). "
        + "Sent extra: {z}. Missing but required: {}.", () -> stub().predict(predict(spec(), "x", floats(2, 1, 1f, 2f))
        .toBuilder().putInputs("z", floats(1, 1, 1f)).build()));
    assertGrpc(Status.Code.INVALID_ARGUMENT, "input size does not match signature: 0!=1 len({}) != len({x}). "
        + "Sent extra: {}. Missing but required: {x}.", () -> stub().predict(PredictRequest.newBuilder()
        .setModelSpec(spec()).build()));
    assertGrpc(Status.Code.INVALID_ARGUMENT, "Signature input alias: x(feed name: x:0) not found in request and no "
        + "default value provided. Inputs expected to be in the request {z}, or default input alias set: ",
        () -> stub().predict(predict(spec(), "z", floats(2, 1, 1f, 2f))));
  }

  /** predict_util.cc PreProcessPrediction checks the output filter before TensorFlow sees the feeds. */
  @Test
  void theOutputFilterIsCheckedBeforeTheRun() {
    TensorProto doubles = shaped(DataType.DT_DOUBLE, 1, 1).addDoubleVal(1).build();
    assertGrpc(Status.Code.INVALID_ARGUMENT, "output tensor alias not found in signature: nope Outputs expected to "
        + "be in the set {y}.", () -> stub().predict(predict(spec(), "x", doubles).toBuilder()
        .addOutputFilter("nope").build()));
    assertGrpc(Status.Code.INVALID_ARGUMENT, "duplicate output tensor alias: y", () -> stub().predict(
        predict(spec(), "x", floats(1, 1, 1f)).toBuilder().addOutputFilter("y").addOutputFilter("y").build()));
  }

  /** get_model_metadata_impl.cc ValidateGetModelMetadataRequest. */
  @Test
  void metadataFields() {
    assertGrpc(Status.Code.INVALID_ARGUMENT, "GetModelMetadataRequest must specify at least one metadata_field",
        () -> stub().getModelMetadata(GetModelMetadataRequest.newBuilder().setModelSpec(spec()).build()));
    assertGrpc(Status.Code.INVALID_ARGUMENT, "Metadata field graph is not supported", () -> stub().getModelMetadata(
        GetModelMetadataRequest.newBuilder().setModelSpec(spec()).addMetadataField("graph").build()));
  }

  /**
   * multi_inference_helper.cc (the first task's ModelSpec resolves the model) and
   * multi_inference.cc TensorFlowMultiInferenceRunner::Infer, check by check.
   */
  @Test
  void multiInferenceChecks() {
    assertGrpc(Status.Code.INVALID_ARGUMENT, "ModelSpec has no name specified.", () -> stub().multiInference(
        MultiInferenceRequest.newBuilder().setInput(oneExample()).build()));
    assertGrpc(Status.Code.NOT_FOUND, "Servable not found for request: Latest(nope)", () -> stub().multiInference(
        multi(task("nope", "regress_x_to_y", REGRESS))));
    assertGrpc(Status.Code.INVALID_ARGUMENT, "Found ModelSpec with an empty model name.", () -> stub().multiInference(
        multi(task("default", "regress_x_to_y", REGRESS), task("", "regress_x_to_y2", REGRESS))));
    assertGrpc(Status.Code.INVALID_ARGUMENT, "All ModelSpecs in a MultiInferenceRequest must access the same model "
        + "name.", () -> stub().multiInference(multi(task("default", "regress_x_to_y", REGRESS),
        task("other", "regress_x_to_y2", REGRESS))));
    assertGrpc(Status.Code.INVALID_ARGUMENT, "Duplicate evaluation of signature: regress_x_to_y", () -> stub()
        .multiInference(multi(task("default", "regress_x_to_y", REGRESS), task("default", "regress_x_to_y", CLASSIFY))));
    assertGrpc(Status.Code.INVALID_ARGUMENT, "Requested signature not found in model graph: nope", () -> stub()
        .multiInference(multi(task("default", "nope", REGRESS))));
    assertGrpc(Status.Code.UNIMPLEMENTED, "Unsupported signature method_name: tensorflow/serving/predict",
        () -> stub().multiInference(multi(task("default", "", "tensorflow/serving/predict"))));
    assertGrpcStartsWith(Status.Code.INVALID_ARGUMENT, "No classification inputs found in SignatureDef: inputs {\n"
        + "  key: \"x\"\n", () -> stub().multiInference(multi(task("default", "", CLASSIFY))));
    // every task is checked before anything runs: the second task's signature fails the request
    assertGrpcStartsWith(Status.Code.INVALID_ARGUMENT, "No regression outputs found in SignatureDef: ",
        () -> stub().multiInference(multi(task("default", "regress_x_to_y", REGRESS),
            task("default", "classify_x_to_y", REGRESS))));
  }

  // ---- helpers ----

  private static PredictionServiceGrpc.PredictionServiceBlockingStub stub() {
    return PredictionServiceGrpc.newBlockingStub(server.channel());
  }

  private static ModelSpec spec() {
    return ModelSpec.newBuilder().setName("default").build();
  }

  private static PredictRequest predict(ModelSpec spec, String alias, TensorProto t) {
    return PredictRequest.newBuilder().setModelSpec(spec).putInputs(alias, t).build();
  }

  private static TensorProto.Builder shaped(DataType dtype, long... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (long d : dims) {
      shape.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
    }
    return TensorProto.newBuilder().setDtype(dtype).setTensorShape(shape);
  }

  private static TensorProto floats(long rows, long cols, float... values) {
    TensorProto.Builder t = shaped(DataType.DT_FLOAT, rows, cols);
    for (float v : values) {
      t.addFloatVal(v);
    }
    return t.build();
  }

  private static Input oneExample() {
    return Input.newBuilder().setExampleList(ExampleList.newBuilder().addExamples(Example.newBuilder()
        .setFeatures(Features.newBuilder().putFeature("x", Feature.newBuilder()
            .setFloatList(FloatList.newBuilder().addValue(1f)).build())))).build();
  }

  private static InferenceTask task(String model, String signature, String method) {
    return InferenceTask.newBuilder().setMethodName(method)
        .setModelSpec(ModelSpec.newBuilder().setName(model).setSignatureName(signature)).build();
  }

  private static MultiInferenceRequest multi(InferenceTask... tasks) {
    return MultiInferenceRequest.newBuilder().addAllTasks(List.of(tasks)).setInput(oneExample()).build();
  }
}
