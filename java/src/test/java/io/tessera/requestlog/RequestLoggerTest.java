package io.tessera.requestlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.util.JsonFormat;
import io.tessera.proto.serving.ModelSpec;
import io.tessera.proto.serving.PredictLog;
import io.tessera.proto.serving.PredictRequest;
import io.tessera.proto.serving.PredictionLog;
import io.tessera.proto.serving.config.LogCollectorConfig;
import io.tessera.proto.serving.config.LoggingConfig;
import io.tessera.proto.serving.config.PerTaskSamplingConfig;
import io.tessera.proto.serving.config.SamplingConfig;
import io.tessera.proto.tf.TensorProto;
import io.tessera.servables.warmup.TFRecordReader;
import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The request log below the pipeline: settings, the file and JSON collectors, drops and their counts. */
class RequestLoggerTest {
  /** Counts what a logger reports, by status code, and the queue depth. */
  static final class Counts implements RequestLogStats {
    final Map<String, AtomicInteger> byCode = new ConcurrentHashMap<>();
    final AtomicInteger depth = new AtomicInteger();

    @Override
    public void logged(String model, String statusCode) {
      byCode.computeIfAbsent(statusCode, c -> new AtomicInteger()).incrementAndGet();
    }

    @Override
    public void queueDepth(String model, int delta) {
      depth.addAndGet(delta);
    }

    int get(String code) {
      AtomicInteger n = byCode.get(code);
      return n == null ? 0 : n.get();
    }
  }

  private static LoggingConfig config(String type, String prefix, double rate) {
    return LoggingConfig.newBuilder()
        .setLogCollectorConfig(LogCollectorConfig.newBuilder().setType(type).setFilenamePrefix(prefix))
        .setSamplingConfig(SamplingConfig.newBuilder().setSamplingRate(rate)).build();
  }

  private static PredictionLog.Builder record(int i) {
    return PredictionLog.newBuilder().setPredictLog(PredictLog.newBuilder().setRequest(PredictRequest.newBuilder()
        .setModelSpec(ModelSpec.newBuilder().setName("m"))
        .putInputs("x", TensorProto.newBuilder().setDtypeValue(7).addStringVal(ByteString.copyFrom(new byte[200]))
            .addStringVal(ByteString.copyFromUtf8("record " + i)).build())));
  }

  @Test
  void unknownTypesAndBadRatesAreConfigErrorsNamingWhatIsSupported() {
    ServingException e = assertThrows(ServingException.class,
        () -> RequestLogSettings.of("m", config("kafka", "", 1), RequestLogSettings.ServerOptions.DEFAULTS));
    assertEquals(StatusCode.INVALID_ARGUMENT, e.code());
    assertTrue(e.getMessage().contains("unknown type \"kafka\"") && e.getMessage().contains("\"file\", \"stdout_json\""),
        e.getMessage());
    e = assertThrows(ServingException.class,
        () -> RequestLogSettings.of("m", config("file", "", 1), RequestLogSettings.ServerOptions.DEFAULTS));
    assertTrue(e.getMessage().contains("filename_prefix"), e.getMessage());
    e = assertThrows(ServingException.class,
        () -> RequestLogSettings.of("m", config("stdout_json", "", 1.5), RequestLogSettings.ServerOptions.DEFAULTS));
    assertTrue(e.getMessage().contains("must be in [0, 1], got 1.5"), e.getMessage());
    assertThrows(ServingException.class, () -> RequestLogSettings.ServerOptions.parse("dc/x", 10));
  }

  @Test
  void perTaskRatesApplyOnlyToTheMatchingLogTask() {
    LoggingConfig config = config("stdout_json", "", 0.1).toBuilder().setSamplingConfig(SamplingConfig.newBuilder()
        .setSamplingRate(0.1)
        .addPerTaskSamplingConfigs(PerTaskSamplingConfig.newBuilder().setDc("east").setTaskIndex(2).setSamplingRate(0.5))
        .addPerTaskSamplingConfigs(PerTaskSamplingConfig.newBuilder().setDc("west").setSamplingRate(0.7))).build();
    assertEquals(0.1, RequestLogSettings.of("m", config, RequestLogSettings.ServerOptions.DEFAULTS).samplingRate());
    assertEquals(0.5, RequestLogSettings.of("m", config, RequestLogSettings.ServerOptions.parse("east/2", 10))
        .samplingRate());
    assertEquals(0.1, RequestLogSettings.of("m", config, RequestLogSettings.ServerOptions.parse("east/3", 10))
        .samplingRate());
    assertEquals(0.7, RequestLogSettings.of("m", config, RequestLogSettings.ServerOptions.parse("west/9", 10))
        .samplingRate());
  }

  @Test
  void anUnusablePrefixIsReported(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("plain-file"), "x");
    RequestLogSettings settings = RequestLogSettings.of("m", config("file", file.resolve("logs/m").toString(), 1),
        RequestLogSettings.ServerOptions.DEFAULTS);
    assertTrue(settings.unwritable("m").orElseThrow().contains("cannot create request log directory"));
    ServingException e = assertThrows(ServingException.class,
        () -> RequestLogger.open("m", 1, settings, List.of(), RequestLogStats.NONE));
    assertEquals(StatusCode.FAILED_PRECONDITION, e.code());
    RequestLogSettings fine = RequestLogSettings.of("m", config("file", dir.resolve("new/dir/m").toString(), 1),
        RequestLogSettings.ServerOptions.DEFAULTS);
    assertTrue(fine.unwritable("m").isEmpty());
    assertTrue(Files.isDirectory(dir.resolve("new/dir")), "the directory is created");
  }

  @Test
  void filesRotateBySizeAndEveryFileParsesCompletely(@TempDir Path dir) throws Exception {
    Counts counts = new Counts();
    RequestLogSettings settings = RequestLogSettings.of("m", config("file", dir.resolve("m").toString(), 1),
        RequestLogSettings.ServerOptions.parse("", 4096));
    RequestLogger log = RequestLogger.open("m", 7, settings, List.of("serve"), counts);
    for (int i = 0; i < 100; i++) {
      log.submit(record(i));
      if (i % 20 == 19) {
        awaitEmpty(log);  // keep the queue from filling: this test is about files
      }
    }
    log.close();
    log.close();  // idempotent
    List<Path> files = files(dir);
    assertTrue(files.size() >= 5, "100 records of ~250 bytes in files of at most 4 KiB: " + files);
    List<PredictionLog> all = new ArrayList<>();
    for (Path f : files) {
      assertTrue(f.getFileName().toString().matches("m\\.7\\.\\d{8}-\\d{6}\\.\\d+-\\d+\\.tfrecord"), f.toString());
      assertTrue(Files.size(f) <= 4096, f + " is " + Files.size(f) + " bytes");
      all.addAll(read(f));
    }
    assertEquals(100, all.size());
    assertEquals(100, counts.get("OK"));
    assertEquals(0, counts.depth.get());
    PredictionLog first = all.stream().filter(l -> l.getPredictLog().getRequest().getInputsMap().get("x")
        .getStringVal(1).toStringUtf8().equals("record 0")).findFirst().orElseThrow();
    assertEquals(List.of("serve"), first.getLogMetadata().getSavedModelTagsList());
    assertEquals(1.0, first.getLogMetadata().getSamplingConfig().getSamplingRate());
    assertTrue(first.getLogMetadata().getTimestampSecs() > 1_600_000_000L);
  }

  @Test
  void aBlockedCollectorMakesSubmitDropAndCountInsteadOfWaiting() throws Exception {
    Counts counts = new Counts();
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    AtomicInteger written = new AtomicInteger();
    LogCollector blocked = new LogCollector() {
      @Override
      public void collect(PredictionLog log) throws IOException {
        try {
          release.await();
        } catch (InterruptedException e) {
          throw new IOException(e);
        }
        written.incrementAndGet();
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    RequestLogSettings settings = RequestLogSettings.of("m", config("stdout_json", "", 1),
        RequestLogSettings.ServerOptions.DEFAULTS);
    RequestLogger log = new RequestLogger("m", settings, List.of(), blocked, counts, 8, 1 << 20);
    for (int i = 0; i < 1000; i++) {
      log.submit(record(i));  // would hang here if submitting waited for the collector
    }
    assertEquals(0, written.get(), "the collector is still blocked: no submit waited for it");
    int dropped = counts.get("RESOURCE_EXHAUSTED");
    assertTrue(dropped >= 1000 - 8 - 1 && dropped <= 1000 - 8, "dropped " + dropped);
    release.countDown();
    log.close();
    assertEquals(1000 - dropped, written.get(), "everything queued is written at close");
    assertEquals(1000 - dropped, counts.get("OK"));
  }

  @Test
  void aFullDiskDropsTheRecordAndCountsResourceExhausted() throws Exception {
    Counts counts = new Counts();
    AtomicInteger calls = new AtomicInteger();
    LogCollector full = new LogCollector() {
      @Override
      public void collect(PredictionLog log) throws IOException {
        if (calls.incrementAndGet() % 2 == 0) {
          throw new IOException("No space left on device");
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    RequestLogger log = new RequestLogger("m", RequestLogSettings.of("m", config("stdout_json", "", 1),
        RequestLogSettings.ServerOptions.DEFAULTS), List.of(), full, counts, 64, 1 << 20);
    for (int i = 0; i < 10; i++) {
      log.submit(record(i));
    }
    log.close();
    assertEquals(5, counts.get("OK"));
    assertEquals(5, counts.get("RESOURCE_EXHAUSTED"));
  }

  @Test
  void stdoutJsonWritesOneParsableLinePerRecord() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    RequestLogger log = new RequestLogger("m", RequestLogSettings.of("m", config("stdout_json", "", 1),
        RequestLogSettings.ServerOptions.DEFAULTS), List.of("serve"),
        new StdoutJsonCollector(new PrintStream(bytes, true, StandardCharsets.UTF_8)), RequestLogStats.NONE, 64, 1 << 20);
    for (int i = 0; i < 3; i++) {
      log.submit(record(i));
    }
    log.close();
    String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
    assertEquals(3, lines.length);
    for (int i = 0; i < 3; i++) {
      PredictionLog.Builder parsed = PredictionLog.newBuilder();
      JsonFormat.parser().merge(lines[i], parsed);
      assertEquals("record " + i, parsed.getPredictLog().getRequest().getInputsMap().get("x").getStringVal(1)
          .toStringUtf8());
      assertEquals(List.of("serve"), parsed.getLogMetadata().getSavedModelTagsList());
    }
  }

  private static void awaitEmpty(RequestLogger log) throws InterruptedException {
    for (int i = 0; i < 500 && log.queued() > 0; i++) {
      Thread.sleep(10);
    }
  }

  static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".tfrecord")).sorted().toList();
    }
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
