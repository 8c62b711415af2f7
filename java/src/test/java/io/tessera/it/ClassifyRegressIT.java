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
import tensorflow.serving.Classification.ClassificationResponse;
import tensorflow.serving.Inference.InferenceTask;
import tensorflow.serving.Inference.MultiInferenceRequest;
import tensorflow.serving.Inference.MultiInferenceResponse;
import tensorflow.serving.InputOuterClass.ExampleList;
import tensorflow.serving.InputOuterClass.ExampleListWithContext;
import tensorflow.serving.InputOuterClass.Input;
import tensorflow.serving.Model.ModelSpec;
import tensorflow.serving.PredictionServiceGrpc;
import tensorflow.serving.RegressionOuterClass.RegressionRequest;

/**
 * Classify, Regress and MultiInference over tf.Examples, on gRPC (stock stubs) and REST, with the
 * answers TF Serving's own tests expect for saved_model_half_plus_two_2_versions.
 */
class ClassifyRegressIT {
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

  @Test
  void restClassifyAndRegressMatchTfServingsTests() throws Exception {
    assertJson("{\"results\": [[[\"\", 3.0]]]}", server.post("/v1/models/default:classify",
        "{\"signature_name\": \"classify_x_to_y\", \"examples\": [{\"x\": 2.0}]}"));
    assertJson("{\"results\": [[[\"\", 12.0]], [[\"\", 7.0]]]}", server.post("/v1/models/default/versions/124:classify",
        "{\"signature_name\": \"classify_x_to_y\", \"examples\": [{\"x\": 20.0}, {\"x\": 10.0}]}"));
    assertJson("{\"results\": [3.0]}", server.post("/v1/models/default:regress",
        "{\"signature_name\": \"regress_x_to_y\", \"examples\": [{\"x\": 2.0}]}"));
    assertJson("{\"results\": [42.0]}", server.post("/v1/models/default:regress",
        "{\"signature_name\": \"regress_x_to_y\", \"examples\": [{\"x\": 80.0}]}"));
    // the context is merged into every example: x comes from the context
    assertJson("{\"results\": [3.0, 3.0]}", server.post("/v1/models/default:regress",
        "{\"signature_name\": \"regress_x_to_y\", \"context\": {\"x\": 2.0}, \"examples\": [{}, {\"x2\": 5.0}]}"));
  }

  @Test
  void restErrorsAreTfServingStyle() throws Exception {
    assertEquals(400, server.post("/v1/models/default:regress", "{\"signature_name\": \"regress_x_to_y\"}").statusCode());
    assertEquals(400, server.post("/v1/models/default:regress",
        "{\"signature_name\": \"regress_x_to_y\", \"examples\": []}").statusCode());
    assertEquals(400, server.post("/v1/models/default:regress",
        "{\"signature_name\": \"regress_x_to_y\", \"examples\": [{\"x\": null}]}").statusCode());
    HttpResponse<String> missing = server.post("/v1/models/default:regress",
        "{\"signature_name\": \"regress_x_to_y\", \"examples\": [{\"y\": 1.0}]}");
    assertEquals(400, missing.statusCode(), missing.body());
    assertTrue(TestServer.json(missing).get("error").asText().contains("x"), missing.body());
    assertEquals(400, server.post("/v1/models/default:classify",
        "{\"signature_name\": \"nope\", \"examples\": [{\"x\": 1.0}]}").statusCode());
    // an integer is an int64 feature, as in TF Serving; the model wants floats
    HttpResponse<String> wrongType = server.post("/v1/models/default:regress",
        "{\"signature_name\": \"regress_x_to_y\", \"examples\": [{\"x\": 10}]}");
    assertEquals(400, wrongType.statusCode(), wrongType.body());
    assertTrue(wrongType.body().contains("Data types don't match"), wrongType.body());
  }

  @Test
  void grpcClassifyRegressAndMultiInference() {
    PredictionServiceGrpc.PredictionServiceBlockingStub stub = PredictionServiceGrpc.newBlockingStub(server.channel());
    ClassificationResponse classify = stub.classify(ClassificationRequest.newBuilder()
        .setModelSpec(ModelSpec.newBuilder().setName("default").setSignatureName("classify_x_to_y"))
        .setInput(input(2f, 20f)).build());
    assertEquals(2, classify.getResult().getClassificationsCount());
    assertEquals(3.0f, classify.getResult().getClassifications(0).getClasses(0).getScore());
    assertEquals(12.0f, classify.getResult().getClassifications(1).getClasses(0).getScore());
    assertEquals("classify_x_to_y", classify.getModelSpec().getSignatureName());
    assertEquals(124, classify.getModelSpec().getVersion().getValue());

    assertEquals(42.0f, stub.regress(RegressionRequest.newBuilder()
        .setModelSpec(ModelSpec.newBuilder().setName("default").setSignatureName("regress_x_to_y"))
        .setInput(input(80f)).build()).getResult().getRegressions(0).getValue());

    Input withContext = Input.newBuilder().setExampleListWithContext(ExampleListWithContext.newBuilder()
        .setContext(example("x", 2f)).addExamples(example("x2", 4f))).build();
    MultiInferenceResponse multi = stub.multiInference(MultiInferenceRequest.newBuilder()
        .addTasks(InferenceTask.newBuilder().setMethodName("tensorflow/serving/classify")
            .setModelSpec(ModelSpec.newBuilder().setName("default").setSignatureName("classify_x_to_y")))
        .addTasks(InferenceTask.newBuilder().setMethodName("tensorflow/serving/regress")
            .setModelSpec(ModelSpec.newBuilder().setName("default").setSignatureName("regress_x_to_y2")))
        .setInput(withContext).build());
    assertEquals(3.0f, multi.getResults(0).getClassificationResult().getClassifications(0).getClasses(0).getScore());
    assertEquals(4.0f, multi.getResults(1).getRegressionResult().getRegressions(0).getValue());

    StatusRuntimeException duplicate = assertThrows(StatusRuntimeException.class, () -> stub.multiInference(
        MultiInferenceRequest.newBuilder()
            .addTasks(InferenceTask.newBuilder().setMethodName("tensorflow/serving/regress")
                .setModelSpec(ModelSpec.newBuilder().setName("default").setSignatureName("regress_x_to_y")))
            .addTasks(InferenceTask.newBuilder().setMethodName("tensorflow/serving/regress")
                .setModelSpec(ModelSpec.newBuilder().setName("default").setSignatureName("regress_x_to_y")))
            .setInput(input(1f)).build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, duplicate.getStatus().getCode());
    StatusRuntimeException empty = assertThrows(StatusRuntimeException.class, () -> stub.regress(
        RegressionRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName("default")
            .setSignatureName("regress_x_to_y")).build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, empty.getStatus().getCode());
  }

  private static Input input(float... xs) {
    ExampleList.Builder list = ExampleList.newBuilder();
    for (float x : xs) {
      list.addExamples(example("x", x));
    }
    return Input.newBuilder().setExampleList(list).build();
  }

  private static Example example(String feature, float value) {
    return Example.newBuilder().setFeatures(Features.newBuilder().putFeature(feature,
        Feature.newBuilder().setFloatList(FloatList.newBuilder().addValue(value)).build())).build();
  }

  private static void assertJson(String expected, HttpResponse<String> r) throws Exception {
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(TestServer.JSON.readTree(expected), TestServer.json(r));
  }
}
