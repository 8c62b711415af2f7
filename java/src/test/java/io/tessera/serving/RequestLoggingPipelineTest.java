package io.tessera.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.tessera.metrics.ServingMetrics;
import io.tessera.proto.serving.ExampleList;
import io.tessera.proto.serving.Input;
import io.tessera.proto.serving.PredictionLog;
import io.tessera.proto.serving.config.LogCollectorConfig;
import io.tessera.proto.serving.config.LoggingConfig;
import io.tessera.proto.serving.config.SamplingConfig;
import io.tessera.proto.tf.Example;
import io.tessera.proto.tf.TensorProto;
import io.tessera.proto.tf.TensorShapeProto;
import io.tessera.requestlog.LogCollector;
import io.tessera.requestlog.RequestLogSettings;
import io.tessera.requestlog.RequestLogger;
import io.tessera.servables.inference.InferenceRunner;
import io.tessera.tensor.InputTensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Request logging in the one pipeline over a fake servable: every API and input form is logged as
 * TF Serving's PredictionLog, sampling is uniform, warmup is never logged, and a collector that
 * blocks never holds up a call (records are dropped and counted instead).
 */
class RequestLoggingPipelineTest {
  private final ServingMetrics metrics = new ServingMetrics();
  private final FakeServable.Versions versions = new FakeServable.Versions();
  private final ServedModel plain = new ServedModel(new FakeServable(), Optional.empty(), null);
  private final ServedModel imaging = new ServedModel(new FakeServable(), Optional.of(FakeServable.images()), null);
  private final Pipeline pipeline = new Pipeline(versions, metrics, true);
  private final List<PredictionLog> written = Collections.synchronizedList(new ArrayList<>());

  {
    versions.models.put("m", plain);
    versions.models.put("img", imaging);
  }

  @AfterEach
  void closeImageModel() {
    imaging.close();  // its preprocessor owns a native graph; close is idempotent
  }

  /** Collects records in memory; blocks each write until {@code open} is counted down. */
  private LogCollector collector(CountDownLatch open) {
    return new LogCollector() {
      @Override
      public void collect(PredictionLog log) throws IOException {
        try {
          open.await();
        } catch (InterruptedException e) {
          throw new IOException(e);
        }
        written.add(log);
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
  }

  private RequestLogger logger(String model, double rate, CountDownLatch open, int queueRecords) {
    return logger(model, rate, open, queueRecords, 64 << 20);
  }

  private RequestLogger logger(String model, double rate, CountDownLatch open, int queueRecords, long queueBytes) {
    LoggingConfig config = LoggingConfig.newBuilder()
        .setLogCollectorConfig(LogCollectorConfig.newBuilder().setType("stdout_json"))
        .setSamplingConfig(SamplingConfig.newBuilder().setSamplingRate(rate)).build();
    return new RequestLogger(model, RequestLogSettings.of(model, config, RequestLogSettings.ServerOptions.DEFAULTS),
        List.of("serve"), collector(open), metrics, queueRecords, queueBytes);
  }

  @Test
  void everyApiAndInputFormIsLoggedAsPredictionLog() throws Exception {
    CountDownLatch open = new CountDownLatch(0);
    plain.replaceRequestLog(logger("m", 1, open, 64));
    imaging.replaceRequestLog(logger("img", 1, open, 64));
    predict("m", new PredictInputs.Tensors(Map.of("x", InputTensor.strings(new long[] {2},
        List.of("a".getBytes(StandardCharsets.UTF_8), "bc".getBytes(StandardCharsets.UTF_8))))), Origin.rest("predict"));
    predict("m", new PredictInputs.Protos(Map.of("x", strings("grpc")), false), Origin.grpc("Predict"));
    pipeline.classify(ExamplesCall.of(ModelRef.latest("m"), "classify_x", examples(2), CallDeadline.NONE,
        Origin.rest("classify")));
    pipeline.regress(ExamplesCall.of(ModelRef.latest("m"), "regress_x", examples(3), CallDeadline.NONE,
        Origin.grpc("Regress")));
    pipeline.multiInference(new MultiInferenceCall(List.of(
        new MultiInferenceCall.Task(ModelRef.latest("m"), "classify_x", InferenceRunner.CLASSIFY_METHOD),
        new MultiInferenceCall.Task(ModelRef.latest("m"), "regress_x", InferenceRunner.REGRESS_METHOD)),
        examples(1), CallDeadline.NONE, Origin.grpc("MultiInference")));
    predict("m", new PredictInputs.Protos(Map.of("x", strings("warmup")), true), Origin.warmup("Predict"));
    byte[] png = SyntheticWarmup.png(8, 6);
    predict("img", new PredictInputs.Images(List.of(ByteBuffer.wrap(png)), 0), Origin.rest("predict"));
    plain.close();
    imaging.close();

    assertEquals(6, written.size(), "warmup is not logged: " + written);
    PredictionLog rest = find("m", PredictionLog.LogTypeCase.PREDICT_LOG, 0);
    assertEquals("serving_default", rest.getLogMetadata().getModelSpec().getSignatureName());
    assertEquals(1, rest.getLogMetadata().getModelSpec().getVersion().getValue());
    assertEquals(List.of("serve"), rest.getLogMetadata().getSavedModelTagsList());
    TensorProto restInput = rest.getPredictLog().getRequest().getInputsMap().get("x");
    assertEquals(List.of(ByteString.copyFromUtf8("a"), ByteString.copyFromUtf8("bc")), restInput.getStringValList());
    assertEquals(List.of(2, 3), rest.getPredictLog().getResponse().getOutputsMap().get("probabilities")
        .getTensorShape().getDimList().stream().map(d -> (int) d.getSize()).toList());
    assertEquals(6, rest.getPredictLog().getResponse().getOutputsMap().get("probabilities").getFloatValCount());
    PredictionLog grpc = find("m", PredictionLog.LogTypeCase.PREDICT_LOG, 1);
    assertEquals(strings("grpc"), grpc.getPredictLog().getRequest().getInputsMap().get("x"));
    PredictionLog classify = find("m", PredictionLog.LogTypeCase.CLASSIFY_LOG, 0);
    assertEquals("classify_x", classify.getClassifyLog().getRequest().getModelSpec().getSignatureName());
    assertEquals(2, classify.getClassifyLog().getRequest().getInput().getExampleList().getExamplesCount());
    assertEquals(2, classify.getClassifyLog().getResponse().getResult().getClassificationsCount());
    PredictionLog regress = find("m", PredictionLog.LogTypeCase.REGRESS_LOG, 0);
    assertEquals(3, regress.getRegressLog().getResponse().getResult().getRegressionsCount());
    PredictionLog multi = find("m", PredictionLog.LogTypeCase.MULTI_INFERENCE_LOG, 0);
    assertEquals(2, multi.getMultiInferenceLog().getRequest().getTasksCount());
    assertEquals(2, multi.getMultiInferenceLog().getResponse().getResultsCount());
    PredictionLog image = find("img", PredictionLog.LogTypeCase.PREDICT_LOG, 0);
    TensorProto encoded = image.getPredictLog().getRequest().getInputsMap().get("images");
    assertEquals(ByteString.copyFrom(png), encoded.getStringVal(0), "the encoded image is logged, not its pixels");
    assertEquals("images", image.getLogMetadata().getModelSpec().getSignatureName());
    String page = page();
    assertTrue(page.contains(":tensorflow:serving:request_log_count{model_name=\"m\",status_code=\"OK\"} 5"), page);
    assertTrue(page.contains(":tensorflow:serving:request_log_count{model_name=\"img\",status_code=\"OK\"} 1"), page);
  }

  @Test
  void aQuarterOfTwoThousandCallsIsLoggedWithinThreeSigma() throws Exception {
    plain.replaceRequestLog(logger("m", 0.25, new CountDownLatch(0), 4096));
    for (int i = 0; i < 2000; i++) {
      predict("m", new PredictInputs.Protos(Map.of("x", strings("s")), false), Origin.grpc("Predict"));
    }
    plain.close();
    double sigma = Math.sqrt(2000 * 0.25 * 0.75);
    assertTrue(Math.abs(written.size() - 500) <= 3 * sigma, written.size() + " logged of 2000 at rate 0.25");
  }

  @Test
  @Timeout(60)
  void aBlockedCollectorNeverHoldsUpACall() throws Exception {
    CountDownLatch open = new CountDownLatch(1);
    plain.replaceRequestLog(logger("m", 1, open, 8));
    for (int i = 0; i < 500; i++) {  // each call would wait here if logging could block it
      predict("m", new PredictInputs.Protos(Map.of("x", strings("blocked " + i)), false), Origin.grpc("Predict"));
    }
    assertEquals(0, written.size(), "the collector has written nothing yet, so no call waited for it");
    String page = page();
    assertTrue(page.contains("tessera_request_log_queue_depth{model_name=\"m\"} 8.0"), page);
    String dropped = ":tensorflow:serving:request_log_count{model_name=\"m\",status_code=\"RESOURCE_EXHAUSTED\"} ";
    int drops = Integer.parseInt(page.lines().filter(l -> l.startsWith(dropped)).findFirst().orElseThrow()
        .substring(dropped.length()).trim());
    assertTrue(drops >= 500 - 9 && drops <= 500 - 8, drops + " dropped of 500 with room for 8 (+1 being written)");
    assertTrue(page.contains(":tensorflow:serving:request_count{model_name=\"m\",status=\"OK\"} 500"),
        "every call was answered: " + page);
    open.countDown();
    plain.close();
    assertEquals(500 - drops, written.size());
  }

  @Test
  void aCallLargerThanTheLogQueueIsCountedAndNotCopied() throws Exception {
    plain.replaceRequestLog(logger("m", 1, new CountDownLatch(0), 8, 1000));
    predict("m", new PredictInputs.Protos(Map.of("x", strings("x".repeat(2000))), false), Origin.grpc("Predict"));
    predict("m", new PredictInputs.Protos(Map.of("x", strings("small")), false), Origin.grpc("Predict"));
    plain.close();
    assertEquals(1, written.size(), "only the small call is logged");
    String page = page();
    assertTrue(page.contains(":tensorflow:serving:request_log_count{model_name=\"m\",status_code=\"RESOURCE_EXHAUSTED\"} 1"),
        page);
    assertTrue(page.contains(":tensorflow:serving:request_count{model_name=\"m\",status=\"OK\"} 2"), page);
  }

  private PredictionLog find(String model, PredictionLog.LogTypeCase type, int nth) {
    return written.stream().filter(l -> l.getLogMetadata().getModelSpec().getName().equals(model)
        && l.getLogTypeCase() == type).skip(nth).findFirst().orElseThrow(() -> new AssertionError(
        "no " + type + " #" + nth + " of " + model + " in " + written));
  }

  private void predict(String model, PredictInputs inputs, Origin origin) {
    pipeline.predict(new PredictCall(ModelRef.latest(model), "", inputs, List.of(), CallDeadline.NONE, origin),
        ran -> ran);
  }

  private static TensorProto strings(String value) {
    return TensorProto.newBuilder().setDtype(io.tessera.proto.tf.DataType.DT_STRING)
        .setTensorShape(TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dim.newBuilder().setSize(1)))
        .addStringVal(ByteString.copyFromUtf8(value)).build();
  }

  private static Input examples(int n) {
    ExampleList.Builder list = ExampleList.newBuilder();
    for (int i = 0; i < n; i++) {
      list.addExamples(Example.getDefaultInstance());
    }
    return Input.newBuilder().setExampleList(list).build();
  }

  private String page() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    metrics.writeTo(out);
    return out.toString(StandardCharsets.UTF_8);
  }
}
