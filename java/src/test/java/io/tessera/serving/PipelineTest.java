package io.tessera.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.tessera.metrics.ServingMetrics;
import io.tessera.proto.serving.ExampleList;
import io.tessera.proto.serving.Input;
import io.tessera.proto.serving.ModelSpec;
import io.tessera.proto.serving.PredictRequest;
import io.tessera.proto.tf.Example;
import io.tessera.proto.tf.TensorProto;
import io.tessera.proto.tf.TensorShapeProto;
import io.tessera.servables.inference.InferenceRunner;
import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import io.tessera.tensor.DataType;
import io.tessera.tensor.InputTensor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The pipeline over a fake servable: checks, image path, deadline, and metrics once per call. */
class PipelineTest {
  private final ServingMetrics metrics = new ServingMetrics();
  private final FakeServable.Versions versions = new FakeServable.Versions();
  private final FakeServable plain = new FakeServable();
  private final FakeServable imaging = new FakeServable();
  private Pipeline pipeline;

  @BeforeEach
  void serve() {
    versions.models.put("m", new ServedModel(plain, Optional.empty(), null));
    versions.models.put("img", new ServedModel(imaging, Optional.of(FakeServable.images()), null));
    pipeline = new Pipeline(versions, metrics, true);
  }

  @AfterEach
  void unserve() {
    versions.models.values().forEach(ServedModel::close);  // the image model owns a native graph
  }

  @Test
  void everyEntryPointAndApiRecordsOneRequestAndOneRunPerCall() throws Exception {
    predict("m", "", tensors(), CallDeadline.NONE, Origin.rest("predict"));
    predict("m", "", protos(), CallDeadline.NONE, Origin.grpc("Predict"));
    pipeline.classify(ExamplesCall.of(ModelRef.latest("m"), "classify_x", examples(2), CallDeadline.NONE,
        Origin.rest("classify")));
    pipeline.regress(ExamplesCall.of(ModelRef.latest("m"), "regress_x", examples(2), CallDeadline.NONE,
        Origin.grpc("Regress")));
    pipeline.multiInference(new MultiInferenceCall(List.of(
        new MultiInferenceCall.Task(ModelRef.latest("m"), "classify_x", InferenceRunner.CLASSIFY_METHOD),
        new MultiInferenceCall.Task(ModelRef.latest("m"), "regress_x", InferenceRunner.REGRESS_METHOD)),
        examples(1), CallDeadline.NONE, Origin.grpc("MultiInference")));
    String page = page();
    assertEquals(1, sample(page, "request_latency_count{API=\"predict\",entrypoint=\"REST\",model_name=\"m\"}"), page);
    assertEquals(1, sample(page, "request_latency_count{API=\"Predict\",entrypoint=\"GRPC\",model_name=\"m\"}"), page);
    assertEquals(1, sample(page, "request_latency_count{API=\"classify\",entrypoint=\"REST\",model_name=\"m\"}"), page);
    assertEquals(1, sample(page, "request_latency_count{API=\"Regress\",entrypoint=\"GRPC\",model_name=\"m\"}"), page);
    assertEquals(-1, sample(page, "request_latency_count{API=\"MultiInference\",entrypoint=\"GRPC\",model_name=\"m\"}"), page);
    assertEquals(4, sample(page, "request_count{model_name=\"m\",status=\"OK\"}"), page);  // not MultiInference
    for (String api : List.of("predict", "Predict", "classify", "Regress")) {
      assertEquals(1, sample(page, "runtime_latency_count{API=\"" + api + "\",model_name=\"m\",runtime=\"TF1\"}"), api);
    }
    assertEquals(2, sample(page, "runtime_latency_count{API=\"MultiInference\",model_name=\"m\",runtime=\"TF1\"}"), page);
    assertEquals(6, plain.runs.size());
    assertEquals(6, plain.released.get(), "every run result closed");
    assertEquals(0, versions.held.get(), "every version hold released");
  }

  @Test
  void methodNamesAreCheckedForLiveCallsOnly() {
    ServingException e = assertThrows(ServingException.class,
        () -> predict("m", "odd", tensors(), CallDeadline.NONE, Origin.grpc("Predict")));
    // INTERNAL, as TF Serving's VerifySignature (servables/tensorflow/predict_util.cc) says
    assertEquals(StatusCode.INTERNAL, e.code());
    assertTrue(e.getMessage().contains("Expected prediction signature method_name"), e.getMessage());
    e = assertThrows(ServingException.class, () -> pipeline.classify(ExamplesCall.of(ModelRef.latest("m"),
        "regress_x", examples(1), CallDeadline.NONE, Origin.rest("classify"))));
    assertTrue(e.getMessage().contains("Expected classification signature method_name"), e.getMessage());
    assertEquals(0, plain.runs.size());
    predict("m", "odd", tensors(), CallDeadline.NONE, Origin.warmup("Predict"));
    assertEquals(1, plain.runs.size());
    String page = page();
    assertEquals(1, sample(page, "request_count{model_name=\"m\",status=\"INTERNAL\"}"), page);
    assertEquals(1, sample(page, "request_count{model_name=\"m\",status=\"INVALID_ARGUMENT\"}"), page);
    assertEquals(-1, sample(page, "request_count{model_name=\"m\",status=\"OK\"}"), "warmup is no request");
    assertEquals(1, sample(page, "runtime_latency_count{API=\"Predict\",model_name=\"m\",runtime=\"TF1\"}"), page);
  }

  @Test
  void theCallsDeadlineBecomesTheRunTimeout() {
    predict("m", "", tensors(), CallDeadline.afterMillis(5_000), Origin.rest("predict"));
    long timeout = plain.runs.get(0).settings().timeoutMs();
    assertTrue(timeout > 0 && timeout <= 5_000, "timeout " + timeout);
    predict("m", "", protos(), CallDeadline.NONE, Origin.grpc("Predict"));
    assertEquals(0, plain.runs.get(1).settings().timeoutMs());
    ServingException e = assertThrows(ServingException.class,
        () -> predict("m", "", protos(), CallDeadline.afterNanos(-1), Origin.grpc("Predict")));
    assertEquals(StatusCode.DEADLINE_EXCEEDED, e.code());
    assertEquals(2, plain.runs.size(), "an expired call does not run");
  }

  @Test
  void encodedImagesTakeTheImagePathFromEveryFrontEnd() throws Exception {
    byte[] png = png();
    Predicted rest = predict("img", "", new PredictInputs.Images(List.of(ByteBuffer.wrap(png), ByteBuffer.wrap(png)), 2), CallDeadline.NONE,
        Origin.rest("predict"));
    assertNotNull(rest.topK());
    assertEquals(2, rest.topK().size());
    assertEquals(2, rest.topK().get(0).size());
    Map<String, TensorProto> wire = Map.of("images", TensorProto.newBuilder()
        .setDtype(io.tessera.proto.tf.DataType.DT_STRING)
        .setTensorShape(TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dim.newBuilder().setSize(1)))
        .addStringVal(ByteString.copyFrom(png)).build());
    Predicted grpc = predict("img", "images", new PredictInputs.Protos(wire, false), CallDeadline.NONE,
        Origin.grpc("Predict"));
    assertNull(grpc.topK());
    new WarmupReplay(metrics, new io.tessera.core.ServableId("img", 1)).predict(versions.models.get("img"),
        PredictRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setSignatureName("images"))
            .putAllInputs(wire).build());
    assertEquals(3, imaging.runs.size());
    long[][] shapes = {{2, 4, 4, 3}, {1, 4, 4, 3}, {1, 4, 4, 3}};
    for (int i = 0; i < 3; i++) {
      assertEquals(DataType.DT_FLOAT, imaging.runs.get(i).dtypes().get("images"), "run " + i);
      assertArrayEquals(shapes[i], imaging.runs.get(i).shapes().get("images"), "run " + i);
      assertEquals("images", imaging.runs.get(i).signature());
    }
    ServingException e = assertThrows(ServingException.class, () -> predict("m", "",
        new PredictInputs.Images(List.of(ByteBuffer.wrap(png)), 0), CallDeadline.NONE, Origin.rest("predict")));
    assertEquals(StatusCode.INVALID_ARGUMENT, e.code());
  }

  @Test
  void errorsAreRecordedOnceWithTheirCodeAndReleaseEverything() {
    plain.failWith = new ServingException(StatusCode.RESOURCE_EXHAUSTED, "busy");
    assertThrows(ServingException.class, () -> predict("m", "", tensors(), CallDeadline.NONE, Origin.rest("predict")));
    plain.failWith = new IllegalStateException("bug");
    assertThrows(IllegalStateException.class,
        () -> predict("m", "", protos(), CallDeadline.NONE, Origin.grpc("Predict")));
    ServingException missing = assertThrows(ServingException.class,
        () -> predict("nope", "", protos(), CallDeadline.NONE, Origin.grpc("Predict")));
    assertEquals(StatusCode.NOT_FOUND, missing.code());
    String page = page();
    assertEquals(1, sample(page, "request_count{model_name=\"m\",status=\"RESOURCE_EXHAUSTED\"}"), page);
    assertEquals(1, sample(page, "request_count{model_name=\"m\",status=\"INTERNAL\"}"), page);
    assertEquals(1, sample(page, "request_count{model_name=\"nope\",status=\"NOT_FOUND\"}"), page);
    assertEquals(-1, sample(page, "runtime_latency_count{API=\"predict\",model_name=\"m\",runtime=\"TF1\"}"), page);
    assertEquals(0, versions.held.get());
  }

  @Test
  void deferredInputsDecodeAgainstTheVersionAndReportSyntaxBeforeAMissingModel() {
    PredictInputs.Deferred body = new PredictInputs.Deferred() {
      @Override
      public PredictInputs.Decoded decode(ServedModel version) {
        return new PredictInputs.Decoded("odd", tensors());
      }

      @Override
      public void checkBeforeLookup() {
        throw ServingException.invalidArgument("JSON Parse error: Invalid value. at offset: 0");
      }
    };
    ServingException e = assertThrows(ServingException.class,
        () -> predict("nope", "", body, CallDeadline.NONE, Origin.rest("predict")));
    assertTrue(e.getMessage().startsWith("JSON Parse error"), e.getMessage());
    e = assertThrows(ServingException.class, () -> predict("m", "", body, CallDeadline.NONE, Origin.rest("predict")));
    assertTrue(e.getMessage().contains("method_name"), "the decoded signature is the one checked: " + e.getMessage());
    assertEquals(2, sample(page(), "request_count{model_name=\"nope\",status=\"INVALID_ARGUMENT\"}")
        + sample(page(), "request_count{model_name=\"m\",status=\"INTERNAL\"}"));
  }

  private Predicted predict(String model, String signature, PredictInputs inputs, CallDeadline deadline,
      Origin origin) {
    return pipeline.predict(new PredictCall(ModelRef.latest(model), signature, inputs, List.of(), deadline, origin),
        ran -> new Predicted(ran.id(), ran.signatureKey(), List.of(), ran.topK(), ran.decodeNanos(), ran.runNanos()));
  }

  private static PredictInputs tensors() {
    return new PredictInputs.Tensors(Map.of("x", InputTensor.strings(new long[] {2}, List.of(new byte[1], new byte[2]))));
  }

  private static PredictInputs protos() {
    return new PredictInputs.Protos(Map.of("x", TensorProto.newBuilder()
        .setDtype(io.tessera.proto.tf.DataType.DT_STRING)
        .setTensorShape(TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dim.newBuilder().setSize(1)))
        .addStringVal(ByteString.copyFromUtf8("a")).build()), false);
  }

  private static Input examples(int n) {
    ExampleList.Builder list = ExampleList.newBuilder();
    for (int i = 0; i < n; i++) {
      list.addExamples(Example.getDefaultInstance());
    }
    return Input.newBuilder().setExampleList(list).build();
  }

  private static byte[] png() throws Exception {
    BufferedImage image = new BufferedImage(8, 6, BufferedImage.TYPE_INT_RGB);
    image.setRGB(1, 1, 0xFF8040);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }

  private String page() {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      metrics.writeTo(out);
      return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The value of {@code :tensorflow:serving:<series>}, or -1 when the page has no such line. */
  private static double sample(String page, String series) {
    String full = ":tensorflow:serving:" + series + " ";
    for (String line : page.split("\n")) {
      if (line.startsWith(full)) {
        return Double.parseDouble(line.substring(full.length()).trim());
      }
    }
    return -1;
  }
}
