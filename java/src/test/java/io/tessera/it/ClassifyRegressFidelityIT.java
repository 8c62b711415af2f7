package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.example.Example;
import org.tensorflow.example.Feature;
import org.tensorflow.example.Features;
import org.tensorflow.example.FloatList;
import tensorflow.serving.Classification.ClassificationRequest;
import tensorflow.serving.InputOuterClass.ExampleList;
import tensorflow.serving.InputOuterClass.Input;
import tensorflow.serving.Model.ModelSpec;
import tensorflow.serving.PredictionServiceGrpc;
import tensorflow.serving.RegressionOuterClass.RegressionRequest;

/**
 * Classify and Regress answer errors as TF Serving does, status and words, on REST and gRPC (the
 * same pipeline messages on both where TF Serving shares them). Each test names the TF Serving
 * source it follows (tensorflow/serving, servables/tensorflow/{classifier,regressor,util}.cc and
 * util/json_tensor.cc). Model: saved_model_half_plus_two_2_versions, whose signatures are
 * serving_default (predict, x → y), classify_x_to_y (inputs → scores), regress_x_to_y and
 * regress_x2_to_y3 (inputs → outputs).
 */
class ClassifyRegressFidelityIT {
  /** serving_default as C++ protobuf's SignatureDef::DebugString() prints it. */
  private static final String SERVING_DEFAULT_DEBUG_STRING = """
      inputs {
        key: "x"
        value {
          name: "x:0"
          dtype: DT_FLOAT
          tensor_shape {
            dim {
              size: -1
            }
            dim {
              size: 1
            }
          }
        }
      }
      outputs {
        key: "y"
        value {
          name: "y:0"
          dtype: DT_FLOAT
          tensor_shape {
            dim {
              size: -1
            }
            dim {
              size: 1
            }
          }
        }
      }
      method_name: "tensorflow/serving/predict"
      """;
  private static final String ONE_EXAMPLE = "\"examples\": [{\"x\": 1.0}]";
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

  // ---- signature checks: classifier.cc PreProcessClassification, regressor.cc PreProcessRegression ----

  /** Inputs are checked before outputs: serving_default lacks both "inputs" and classes/scores. */
  @Test
  void classifyChecksTheInputBeforeTheOutputs() throws Exception {
    String expected = "No classification inputs found in SignatureDef: " + SERVING_DEFAULT_DEBUG_STRING;
    assertRest(400, expected, server.post("/v1/models/default:classify", "{" + ONE_EXAMPLE + "}"));
    assertGrpc(Status.Code.INVALID_ARGUMENT, expected, () -> stub().classify(classify("")));
  }

  @Test
  void regressChecksTheInputBeforeTheOutput() throws Exception {
    String expected = "No regression inputs found in SignatureDef: " + SERVING_DEFAULT_DEBUG_STRING;
    assertRest(400, expected, server.post("/v1/models/default:regress", "{" + ONE_EXAMPLE + "}"));
    assertGrpc(Status.Code.INVALID_ARGUMENT, expected, () -> stub().regress(regress("")));
  }

  /** regress_x2_to_y3 has the input "inputs" but its one output is "outputs". */
  @Test
  void classifyNeedsClassesOrScores() throws Exception {
    String prefix = "Expected classification signature outputs to contain at least one of \"classes\" or "
        + "\"scores\". Signature was: inputs {\n  key: \"inputs\"\n";
    assertRestStartsWith(400, prefix, server.post("/v1/models/default:classify",
        "{\"signature_name\": \"regress_x2_to_y3\", " + ONE_EXAMPLE + "}"));
    assertGrpcStartsWith(Status.Code.INVALID_ARGUMENT, prefix, () -> stub().classify(classify("regress_x2_to_y3")));
  }

  /** classify_x_to_y has the input "inputs" but its one output is "scores". */
  @Test
  void regressNeedsOutputs() throws Exception {
    String prefix = "No regression outputs found in SignatureDef: inputs {\n  key: \"inputs\"\n";
    HttpResponse<String> r = server.post("/v1/models/default:regress",
        "{\"signature_name\": \"classify_x_to_y\", " + ONE_EXAMPLE + "}");
    assertRestStartsWith(400, prefix, r);
    assertTrue(message(r).endsWith("method_name: \"tensorflow/serving/classify\"\n"), message(r));
    assertGrpcStartsWith(Status.Code.INVALID_ARGUMENT, prefix, () -> stub().regress(regress("classify_x_to_y")));
  }

  /** GetClassificationSignatureDef / GetRegressionSignatureDef. */
  @Test
  void unknownSignatureOnClassifyAndRegress() throws Exception {
    String expected = "No signature was found with the name: nope";
    for (String verb : new String[] {"classify", "regress"}) {
      assertRest(400, expected, server.post("/v1/models/default:" + verb,
          "{\"signature_name\": \"nope\", " + ONE_EXAMPLE + "}"));
    }
    assertGrpc(Status.Code.INVALID_ARGUMENT, expected, () -> stub().classify(classify("nope")));
    assertGrpc(Status.Code.INVALID_ARGUMENT, expected, () -> stub().regress(regress("nope")));
  }

  /** util.cc InputToSerializedExampleTensor: no examples (or no input at all). */
  @Test
  void anEmptyInputIsInvalid() {
    assertGrpc(Status.Code.INVALID_ARGUMENT, "Input is empty.", () -> stub().regress(RegressionRequest.newBuilder()
        .setModelSpec(spec("regress_x_to_y")).build()));
    assertGrpc(Status.Code.INVALID_ARGUMENT, "Input is empty.", () -> stub().classify(ClassificationRequest.newBuilder()
        .setModelSpec(spec("classify_x_to_y")).setInput(Input.newBuilder()
            .setExampleList(ExampleList.getDefaultInstance())).build()));
  }

  // ---- the JSON body: json_tensor.cc ParseJson and FillClassifyRegressRequestFromJson ----

  @Test
  void anEmptyBodyIsAnEmptyDocument() throws Exception {
    assertRest(400, "JSON Parse error: The document is empty", server.post("/v1/models/default:classify", ""));
    assertRest(400, "JSON Parse error: The document is empty. at offset: 2",
        server.post("/v1/models/default:regress", "  "));
  }

  /** The whole document is parsed first: a syntax error wins over an earlier semantic one. */
  @Test
  void syntaxErrorsComeFirst() throws Exception {
    HttpResponse<String> r = server.post("/v1/models/default:regress", "{\"examples\": 5, \"x\": [1,");
    assertRestStartsWith(400, "JSON Parse error: ", r);
    assertTrue(message(r).contains(" at offset: "), message(r));
  }

  @Test
  void theRootMustBeAnObject() throws Exception {
    assertRest(400, "JSON Value: [1] Is not object", server.post("/v1/models/default:classify", "[1]"));
  }

  /** FillSignature / FormatSignatureError. */
  @Test
  void signatureNameMustBeAString() throws Exception {
    assertRestEndsWith(400, " not formatted correctly. 'signature_name' key must be a string value.",
        server.post("/v1/models/default:regress", "{\"signature_name\": 5, " + ONE_EXAMPLE + "}"));
  }

  /** TF Serving says "classify" in this message for :regress too. */
  @Test
  void examplesMustBeANonEmptyArray() throws Exception {
    for (String verb : new String[] {"classify", "regress"}) {
      assertRestEndsWith(400, " When method is classify, key 'examples' is expected and was not found",
          server.post("/v1/models/default:" + verb, "{\"signature_name\": \"regress_x_to_y\"}"));
    }
    assertRestEndsWith(400, " Expecting 'examples' value to be an list/array",
        server.post("/v1/models/default:regress", "{\"examples\": {\"x\": 1.0}}"));
    assertRestEndsWith(400, " 'examples' value is an empty array",
        server.post("/v1/models/default:regress", "{\"examples\": []}"));
  }

  /** MakeExampleFromJsonObject names the JSON type as rapidjson's JsonTypeString does. */
  @Test
  void examplesAndContextMustBeObjects() throws Exception {
    String[][] cases = {{"1", "Number"}, {"[1.0]", "Array"}, {"null", "Null"}, {"\"x\"", "String"},
        {"true", "True"}};
    for (String[] c : cases) {
      assertRest(400, "Example must be JSON object but got JSON " + c[1],
          server.post("/v1/models/default:regress", "{\"examples\": [" + c[0] + "]}"));
    }
    assertRest(400, "Example must be JSON object but got JSON Array",
        server.post("/v1/models/default:regress", "{\"context\": [], " + ONE_EXAMPLE + "}"));
  }

  /** AddValueToFeature: null, nested lists and non-b64 objects are no feature values. */
  @Test
  void unsupportedFeatureValues() throws Exception {
    String[][] cases = {{"null", "Null"}, {"[null]", "Null"}, {"[[1.0]]", "Array"}, {"{\"a\": 1}", "Object"},
        {"[{\"b64\": \"AA==\", \"c\": 1}]", "Object"}};
    for (String[] c : cases) {
      assertRest(400, "Feature: x has element with unexpected JSON type: " + c[1],
          server.post("/v1/models/default:regress", "{\"examples\": [{\"x\": " + c[0] + "}]}"));
    }
    assertRest(400, "Feature: x has uint64_t element. Only int64_t is supported.",
        server.post("/v1/models/default:regress", "{\"examples\": [{\"x\": 18446744073709551615}]}"));
    assertRest(400, "Unable to base64 decode",
        server.post("/v1/models/default:regress", "{\"examples\": [{\"x\": {\"b64\": \"*not base64*\"}}]}"));
  }

  /** IncompatibleFeatureKindError: the first value of a list fixes the feature's kind. */
  @Test
  void mixedFeatureValues() throws Exception {
    String[][] cases = {{"[1.5, \"a\"]", "float"}, {"[\"a\", 1]", "bytes"}, {"[1, 2.5]", "int64"},
        {"[true, 0.5]", "int64"}, {"[{\"b64\": \"AA==\"}, 1]", "bytes"}};
    for (String[] c : cases) {
      assertRest(400, "Unexpected element type in feature: x expecting type: " + c[1],
          server.post("/v1/models/default:regress", "{\"examples\": [{\"x\": " + c[0] + "}]}"));
    }
  }

  /** Values of one kind, a number with an exponent is a float: the examples still run. */
  @Test
  void wellFormedBodiesStillRun() throws Exception {
    HttpResponse<String> r = server.post("/v1/models/default:regress",
        "{\"signature_name\": \"regress_x_to_y\", \"examples\": [{\"x\": 2e0, \"tag\": [\"a\", \"b\"]}]}");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(3.0, TestServer.json(r).get("results").get(0).asDouble(), r.body());
  }

  // ---- helpers ----

  private static PredictionServiceGrpc.PredictionServiceBlockingStub stub() {
    return PredictionServiceGrpc.newBlockingStub(server.channel());
  }

  private static ModelSpec spec(String signature) {
    return ModelSpec.newBuilder().setName("default").setSignatureName(signature).build();
  }

  private static Input oneExample() {
    return Input.newBuilder().setExampleList(ExampleList.newBuilder().addExamples(Example.newBuilder()
        .setFeatures(Features.newBuilder().putFeature("x", Feature.newBuilder()
            .setFloatList(FloatList.newBuilder().addValue(1f)).build())))).build();
  }

  private static ClassificationRequest classify(String signature) {
    return ClassificationRequest.newBuilder().setModelSpec(spec(signature)).setInput(oneExample()).build();
  }

  private static RegressionRequest regress(String signature) {
    return RegressionRequest.newBuilder().setModelSpec(spec(signature)).setInput(oneExample()).build();
  }

  private static String message(HttpResponse<String> r) throws Exception {
    return TestServer.json(r).get("error").asText();
  }

  private static void assertRest(int status, String expected, HttpResponse<String> r) throws Exception {
    assertEquals(status, r.statusCode(), r.body());
    assertEquals(expected, message(r), r.body());
  }

  private static void assertRestStartsWith(int status, String prefix, HttpResponse<String> r) throws Exception {
    assertEquals(status, r.statusCode(), r.body());
    assertTrue(message(r).startsWith(prefix), r.body());
  }

  private static void assertRestEndsWith(int status, String suffix, HttpResponse<String> r) throws Exception {
    assertEquals(status, r.statusCode(), r.body());
    assertTrue(message(r).startsWith("JSON Value: {"), r.body());
    assertTrue(message(r).endsWith(suffix), r.body());
  }

  static void assertGrpc(Status.Code code, String expected, Runnable call) {
    Status s = assertThrows(StatusRuntimeException.class, call::run).getStatus();
    assertEquals(code, s.getCode(), s.toString());
    assertEquals(expected, s.getDescription());
  }

  static void assertGrpcStartsWith(Status.Code code, String prefix, Runnable call) {
    Status s = assertThrows(StatusRuntimeException.class, call::run).getStatus();
    assertEquals(code, s.getCode(), s.toString());
    assertTrue(s.getDescription().startsWith(prefix), s.getDescription());
  }
}
