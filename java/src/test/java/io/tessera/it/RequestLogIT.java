package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.TextFormat;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tessera.cli.WarmupFromLogs;
import io.tessera.servables.warmup.TFRecordReader;
import io.tessera.status.ServingException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.example.Example;
import org.tensorflow.example.Feature;
import org.tensorflow.example.Features;
import org.tensorflow.example.FloatList;
import org.tensorflow.framework.DataType;
import org.tensorflow.framework.TensorProto;
import org.tensorflow.framework.TensorShapeProto;
import tensorflow.serving.Classification.ClassificationRequest;
import tensorflow.serving.Inference.InferenceTask;
import tensorflow.serving.Inference.MultiInferenceRequest;
import tensorflow.serving.InputOuterClass.ExampleList;
import tensorflow.serving.InputOuterClass.Input;
import tensorflow.serving.Model.ModelSpec;
import tensorflow.serving.ModelManagement.ReloadConfigRequest;
import tensorflow.serving.ModelServerConfigOuterClass.ModelServerConfig;
import tensorflow.serving.ModelServiceGrpc;
import tensorflow.serving.Predict.PredictRequest;
import tensorflow.serving.PredictionLogOuterClass.PredictionLog;
import tensorflow.serving.PredictionServiceGrpc;
import tensorflow.serving.RegressionOuterClass.RegressionRequest;

/**
 * logging_config on a real server: every API over REST and gRPC is logged as TF Serving's
 * PredictionLog (read back with independently generated TF Serving protos), the logs become a
 * warmup file that a new version replays, a reload turns logging on and off, and bad logging
 * configs are refused while the served models keep serving; a SIGTERM under load leaves
 * complete, rotated files holding every answered call.
 */
class RequestLogIT {
  private static final Path TWO = TestServer.shared("testdata/saved_model_half_plus_two_cpu");

  private static String model(String name, String logging) {
    return "config { name: \"" + name + "\" base_path: \"" + TWO + "\" model_platform: \"tensorflow\" " + logging + " }";
  }

  private static String fileLogging(Path prefix, double rate) {
    return "logging_config { log_collector_config { type: \"file\" filename_prefix: \"" + prefix + "\" } "
        + "sampling_config { sampling_rate: " + rate + " } }";
  }

  private static String list(String... models) {
    return "model_config_list { " + String.join(" ", models) + " }";
  }

  @Test
  void everyApiIsLoggedAsPredictionLogAndTheLogsWarmANewVersion(@TempDir Path dir) throws Exception {
    Path logs = dir.resolve("logs");
    Path config = Files.writeString(dir.resolve("models.config"), list(model("hp2", fileLogging(logs.resolve("hp2"), 1))));
    try (TestServer server = TestServer.startPolling(Duration.ZERO, "--model_config_file=" + config)) {
      assertEquals(200, server.post("/v1/models/hp2:predict", "{\"instances\": [1.0, 2.0]}").statusCode());
      assertEquals(200, server.post("/v1/models/hp2:classify",
          "{\"signature_name\": \"classify_x_to_y\", \"examples\": [{\"x\": 2.0}]}").statusCode());
      assertEquals(200, server.post("/v1/models/hp2:regress",
          "{\"signature_name\": \"regress_x_to_y\", \"examples\": [{\"x\": 4.0}]}").statusCode());
      PredictionServiceGrpc.PredictionServiceBlockingStub stub = PredictionServiceGrpc.newBlockingStub(server.channel());
      stub.predict(grpcPredict(5f));
      stub.classify(ClassificationRequest.newBuilder().setModelSpec(spec("classify_x_to_y")).setInput(input(6f)).build());
      stub.regress(RegressionRequest.newBuilder().setModelSpec(spec("regress_x_to_y")).setInput(input(8f)).build());
      stub.multiInference(MultiInferenceRequest.newBuilder()
          .addTasks(InferenceTask.newBuilder().setMethodName("tensorflow/serving/regress").setModelSpec(spec("regress_x_to_y")))
          .setInput(input(10f)).build());
      assertEquals(404, server.post("/v1/models/nope:predict", "{\"instances\": [1.0]}").statusCode());
    }  // closing the server drains and closes the logs

    List<PredictionLog> all = readAll(logs);
    assertEquals(7, all.size(), all.toString());
    for (PredictionLog log : all) {
      assertEquals("hp2", log.getLogMetadata().getModelSpec().getName());
      assertEquals(123, log.getLogMetadata().getModelSpec().getVersion().getValue());
      assertEquals(1.0, log.getLogMetadata().getSamplingConfig().getSamplingRate());
      assertEquals(List.of("serve"), log.getLogMetadata().getSavedModelTagsList());
    }
    PredictionLog rest = all.get(0);
    assertEquals(PredictionLog.LogTypeCase.PREDICT_LOG, rest.getLogTypeCase());
    assertEquals(List.of(1f, 2f), floats(rest.getPredictLog().getRequest().getInputsMap().get("x")));
    assertEquals(List.of(2.5f, 3f), floats(rest.getPredictLog().getResponse().getOutputsMap().get("y")));
    assertEquals("serving_default", rest.getLogMetadata().getModelSpec().getSignatureName());
    assertEquals(3f, all.get(1).getClassifyLog().getResponse().getResult().getClassifications(0).getClasses(0).getScore());
    assertEquals(4f, all.get(2).getRegressLog().getResponse().getResult().getRegressions(0).getValue());
    PredictionLog grpc = all.get(3);
    assertEquals(grpcPredict(5f), grpc.getPredictLog().getRequest(), "the gRPC request is logged as sent");
    assertEquals(List.of(4.5f), floats(grpc.getPredictLog().getResponse().getOutputsMap().get("y")));
    assertEquals(5f, all.get(4).getClassifyLog().getResponse().getResult().getClassifications(0).getClasses(0).getScore());
    assertEquals(6f, all.get(5).getRegressLog().getResponse().getResult().getRegressions(0).getValue());
    assertEquals(7f, all.get(6).getMultiInferenceLog().getResponse().getResults(0).getRegressionResult()
        .getRegressions(0).getValue());

    // tessera warmup: the logs become the warmup file of a new version, which replays them.
    Path version = dir.resolve("models/hp2/00000124");  // half_plus_two's version 123 as a new version
    ModelDirs.copyTree(TWO.resolve("00000123"), version);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertEquals(0, WarmupFromLogs.run(new String[] {"--from=" + logs, "--model_dir=" + version, "--max_records=6"},
        new PrintStream(out, true, StandardCharsets.UTF_8), System.err), out.toString(StandardCharsets.UTF_8));
    List<PredictionLog> warmup = read(version.resolve("assets.extra/tf_serving_warmup_requests"));
    assertEquals(6, warmup.size());
    assertTrue(warmup.stream().noneMatch(l -> l.hasLogMetadata()
        || l.getPredictLog().hasResponse() || l.getClassifyLog().hasResponse() || l.getRegressLog().hasResponse()),
        "responses and metadata are stripped");
    assertEquals(all.get(3).getPredictLog().getRequest(), warmup.get(3).getPredictLog().getRequest());
    try (LogCapture log = new LogCapture();
        TestServer server = TestServer.start("hp2", version.getParent())) {
      String line = log.first("Finished reading warmup data");
      assertTrue(line.contains("6 records, 1 iteration(s), 6 requests replayed"), line);
      assertEquals(200, server.post("/v1/models/hp2:predict", "{\"instances\": [1.0]}").statusCode());
    }
    assertEquals(2, WarmupFromLogs.run(new String[] {"--from=" + logs, "--model_dir=" + dir}, System.out,
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)), "not a version directory");
  }

  @Test
  void aReloadTurnsLoggingOnAndOffAndBadLoggingConfigsAreRefused(@TempDir Path dir) throws Exception {
    Path logs = dir.resolve("logs");
    Path config = Files.writeString(dir.resolve("models.config"), list(model("hp2", "")));
    try (TestServer server = TestServer.startPolling(Duration.ZERO, "--model_config_file=" + config)) {
      ModelServiceGrpc.ModelServiceBlockingStub models = ModelServiceGrpc.newBlockingStub(server.channel());
      StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class, () -> reload(models,
          list(model("hp2", ""), model("other", "logging_config { log_collector_config { type: \"kafka\" } }"))));
      assertEquals(Status.Code.INVALID_ARGUMENT, unknown.getStatus().getCode());
      assertTrue(unknown.getStatus().getDescription().contains("unknown type \"kafka\"; supported types: \"file\", "
          + "\"stdout_json\""), unknown.getStatus().getDescription());
      Path notADirectory = Files.writeString(dir.resolve("plain-file"), "x");
      StatusRuntimeException unwritable = assertThrows(StatusRuntimeException.class, () -> reload(models,
          list(model("hp2", ""), model("other", fileLogging(notADirectory.resolve("other"), 1)))));
      assertEquals(Status.Code.FAILED_PRECONDITION, unwritable.getStatus().getCode());
      assertTrue(unwritable.getStatus().getDescription().contains("cannot create request log directory"),
          unwritable.getStatus().getDescription());
      assertEquals(404, server.post("/v1/models/other:predict", "{\"instances\": [1.0]}").statusCode(),
          "the model with the bad logging config is not loaded");
      assertEquals(200, server.post("/v1/models/hp2:predict", "{\"instances\": [1.0]}").statusCode(),
          "the others keep serving");

      reload(models, list(model("hp2", fileLogging(logs.resolve("hp2"), 1))));
      assertEquals(200, server.post("/v1/models/hp2:predict", "{\"instances\": [3.0]}").statusCode());
      reload(models, list(model("hp2", "")));  // closes (flushes) the version's log
      assertEquals(200, server.post("/v1/models/hp2:predict", "{\"instances\": [4.0]}").statusCode());
      List<PredictionLog> logged = readAll(logs);
      assertEquals(1, logged.size(), "only the call made while logging was on: " + logged);
      assertEquals(List.of(3f), floats(logged.get(0).getPredictLog().getRequest().getInputsMap().get("x")));
    }
    Path bad = Files.writeString(dir.resolve("bad.config"),
        list(model("hp2", "logging_config { log_collector_config { type: \"syslog\" } }")));
    ServingException e = assertThrows(ServingException.class,
        () -> TestServer.startPolling(Duration.ZERO, "--model_config_file=" + bad));
    assertTrue(e.getMessage().contains("Model hp2: logging_config.log_collector_config has unknown type \"syslog\""),
        e.getMessage());
    TestServer.assertNoLeaks();
  }

  @Test
  void imageModelsLogTheEncodedBytesAndTheLogReplaysThroughTheImagePath(@TempDir Path dir) throws Exception {
    Path base = ImageModelFixture.create(Files.createDirectories(dir.resolve("image")));
    Path logs = dir.resolve("logs");
    Path config = Files.writeString(dir.resolve("models.config"), list("config { name: \"image\" base_path: \""
        + base + "\" model_platform: \"tensorflow\" " + fileLogging(logs.resolve("image"), 1) + " }"));
    byte[] jpeg = Files.readAllBytes(TestServer.shared("images/coffee.jpg"));
    try (TestServer server = TestServer.startPolling(Duration.ZERO, "--model_config_file=" + config)) {
      assertEquals(200, server.post("/v1/models/image:predict", "{\"instances\": [{\"b64\": \""
          + java.util.Base64.getEncoder().encodeToString(jpeg) + "\"}]}").statusCode());
    }
    List<PredictionLog> all = readAll(logs);
    assertEquals(1, all.size());
    TensorProto logged = all.get(0).getPredictLog().getRequest().getInputsMap().get("images");
    assertEquals(DataType.DT_STRING, logged.getDtype());
    assertEquals(com.google.protobuf.ByteString.copyFrom(jpeg), logged.getStringVal(0),
        "the JPEG is logged, not 150528 decoded floats");
    assertEquals(1001, all.get(0).getPredictLog().getResponse().getOutputsMap().values().iterator().next()
        .getTensorShape().getDim(1).getSize());
    // The log, as the version's warmup file, replays through the image path (the JPEG is decoded again).
    Path version = base.resolve("2");
    ModelDirs.copyTree(TestServer.shared("models/mobilenet_v2/1"), version);
    assertEquals(0, WarmupFromLogs.run(new String[] {"--from=" + logs, "--model_dir=" + version}, System.out, System.err));
    try (LogCapture log = new LogCapture(); TestServer server = TestServer.start("image", base)) {
      assertTrue(log.first("Finished reading warmup data").contains("1 records, 1 iteration(s), 1 requests replayed"),
          log.toString());
    }
  }

  @Test
  void sigtermMidLoadLeavesOnlyCompleteRecordsInRotatedFiles(@TempDir Path dir) throws Exception {
    Path logs = dir.resolve("logs");
    Path config = Files.writeString(dir.resolve("models.config"), list(model("hp2", fileLogging(logs.resolve("hp2"), 1))));
    AtomicInteger answered = new AtomicInteger();
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> clients = new ArrayList<>();
    try (ServerProcess server = ServerProcess.start("", "/v1/models/hp2", "--model_config_file=" + config,
        "--request_log_max_file_bytes=4096")) {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      for (int c = 0; c < 2; c++) {
        Thread client = new Thread(() -> {
          while (!stop.get()) {
            try {
              HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.restBase()
                  + "/v1/models/hp2:predict")).POST(HttpRequest.BodyPublishers.ofString("{\"instances\": [1.0]}"))
                  .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
              if (r.statusCode() == 200) {
                answered.incrementAndGet();
              }
            } catch (IOException | InterruptedException closed) {
              return;  // the server is going away
            }
          }
        });
        client.start();
        clients.add(client);
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (answered.get() < 300 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      server.process().destroy();  // SIGTERM while the clients keep sending
      assertTrue(server.process().waitFor(60, TimeUnit.SECONDS), "the server did not stop on SIGTERM");
      assertEquals(0, server.process().exitValue(), server.output());
    } finally {
      stop.set(true);
      for (Thread client : clients) {
        client.join(20_000);
      }
    }
    List<PredictionLog> all = readAll(logs);  // fails on any torn or corrupt record
    assertTrue(answered.get() >= 300, "load ran: " + answered.get());
    assertTrue(all.size() >= answered.get(), "every answered call was logged and flushed at shutdown: "
        + all.size() + " records, " + answered.get() + " answers");
    try (Stream<Path> files = Files.list(logs)) {
      assertTrue(files.count() >= 3, "files rotated at 4096 bytes");
    }
  }

  private static void reload(ModelServiceGrpc.ModelServiceBlockingStub models, String text) throws Exception {
    models.handleReloadConfigRequest(ReloadConfigRequest.newBuilder()
        .setConfig(TextFormat.parse(text, ModelServerConfig.class)).build());
  }

  private static PredictRequest grpcPredict(float x) {
    return PredictRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName("hp2"))
        .putInputs("x", TensorProto.newBuilder().setDtype(DataType.DT_FLOAT)
            .setTensorShape(TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dim.newBuilder().setSize(1)))
            .addFloatVal(x).build()).build();
  }

  private static ModelSpec spec(String signature) {
    return ModelSpec.newBuilder().setName("hp2").setSignatureName(signature).build();
  }

  private static Input input(float x) {
    return Input.newBuilder().setExampleList(ExampleList.newBuilder().addExamples(Example.newBuilder()
        .setFeatures(Features.newBuilder().putFeature("x",
            Feature.newBuilder().setFloatList(FloatList.newBuilder().addValue(x)).build())))).build();
  }

  /** A tensor's floats, from float_val or tensor_content. */
  static List<Float> floats(TensorProto t) {
    List<Float> values = new ArrayList<>(t.getFloatValList());
    ByteBuffer content = t.getTensorContent().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    while (content.remaining() >= 4) {
      values.add(content.getFloat());
    }
    return values;
  }

  /** Every record of every log file under {@code dir}, oldest file first; a damaged record fails. */
  static List<PredictionLog> readAll(Path dir) throws IOException {
    List<PredictionLog> all = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return all;
    }
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.filter(p -> p.toString().endsWith(".tfrecord")).sorted(RequestLogIT::byCreation).toList();
    }
    assertFalse(files.isEmpty(), "no log files in " + dir);
    for (Path f : files) {
      all.addAll(read(f));
    }
    return all;
  }

  /** Files in the order the server opened them (the name's last number is a process-wide count). */
  private static int byCreation(Path a, Path b) {
    return Long.compare(fileNumber(a), fileNumber(b));
  }

  private static long fileNumber(Path p) {
    String name = p.getFileName().toString();
    return Long.parseLong(name.substring(name.lastIndexOf('-') + 1, name.length() - ".tfrecord".length()));
  }

  static List<PredictionLog> read(Path file) throws IOException {
    List<PredictionLog> logs = new ArrayList<>();
    try (InputStream in = Files.newInputStream(file)) {
      TFRecordReader reader = new TFRecordReader(in);
      for (byte[] r = reader.next(); r != null; r = reader.next()) {
        logs.add(PredictionLog.parseFrom(r));
      }
    }
    return logs;
  }
}
