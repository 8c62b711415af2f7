package io.tessera.servables.warmup;

import com.google.protobuf.InvalidProtocolBufferException;
import io.tessera.proto.serving.PredictionLog;
import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * TF Serving's SavedModel warmup: replays {@code <version>/assets.extra/tf_serving_warmup_requests}
 * (a TFRecord of serialized PredictionLog, at most {@value #MAX_RECORDS} records) on a freshly
 * loaded version {@code V} before it becomes AVAILABLE. A missing file is not an error; an
 * unreadable or invalid one, or a failing request, fails the load. Thread-safe.
 */
public final class ModelWarmup<V extends AutoCloseable> {
  private static final Logger LOG = Logger.getLogger(ModelWarmup.class.getName());
  public static final int MAX_RECORDS = 1000;
  public static final String FILE = "assets.extra/tf_serving_warmup_requests";

  private final WarmupReplayer<V> replayer;
  private final int iterations;

  /** @param iterations times each record is replayed; values below 1 mean 1 */
  public ModelWarmup(WarmupReplayer<V> replayer, int iterations) {
    this.replayer = replayer;
    this.iterations = Math.max(1, iterations);
  }

  /** What a warmup run did. */
  public record Result(int records, int replayed, int skipped, long millis) {}

  /**
   * Warms {@code version} up and returns it; if warmup fails the version is closed (it is never
   * served) and the error propagates, failing the load.
   */
  public V warm(V version, Path versionDir) {
    try {
      run(version, versionDir);
      return version;
    } catch (RuntimeException | Error e) {
      try {
        version.close();
      } catch (Exception closeFailed) {
        e.addSuppressed(closeFailed);
      }
      throw e;
    }
  }

  /** Runs warmup for the version loaded from {@code versionDir}; null when there is no file. */
  public Result run(V version, Path versionDir) {
    Path file = versionDir.resolve(FILE);
    if (!Files.isRegularFile(file)) {
      LOG.info("No warmup data file found at " + file);
      return null;
    }
    long started = System.nanoTime();
    List<PredictionLog> logs = read(file);
    int replayed = 0;
    int skipped = 0;
    for (int i = 0; i < iterations; i++) {
      for (PredictionLog log : logs) {
        if (replay(version, log)) {
          replayed++;
        } else {
          skipped++;
        }
      }
    }
    Result result = new Result(logs.size(), replayed, skipped,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    if (skipped > 0) {
      LOG.info("Warmup of " + versionDir + ": " + skipped / iterations + " record(s) skipped by the replayer");
    }
    LOG.info(String.format("Finished reading warmup data for model at %s: %d records, %d "
        + "iteration(s), %d requests replayed, took %d ms", file, result.records(), iterations,
        result.replayed(), result.millis()));
    return result;
  }

  static List<PredictionLog> read(Path file) {
    List<PredictionLog> logs = new ArrayList<>();
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
      TFRecordReader reader = new TFRecordReader(in);
      for (byte[] record = reader.next(); record != null; record = reader.next()) {
        if (logs.size() == MAX_RECORDS) {
          throw ServingException.invalidArgument("Number of warmup records exceeds the maximum ("
              + MAX_RECORDS + ") at " + file);
        }
        logs.add(PredictionLog.parseFrom(record));
      }
    } catch (InvalidProtocolBufferException e) {
      throw new ServingException(StatusCode.DATA_LOSS, "Failed to parse warmup record "
          + logs.size() + " from " + file + " as tensorflow.serving.PredictionLog: " + e.getMessage());
    } catch (IOException e) {
      throw new ServingException(StatusCode.DATA_LOSS, "Failed to read warmup data from " + file
          + ": " + e.getMessage() + ". Please verify your warmup data is in TFRecord format.");
    }
    return logs;
  }

  private boolean replay(V version, PredictionLog log) {
    return switch (log.getLogTypeCase()) {
      case PREDICT_LOG -> replayer.predict(version, log.getPredictLog().getRequest());
      case CLASSIFY_LOG -> replayer.classify(version, log.getClassifyLog().getRequest());
      case REGRESS_LOG -> replayer.regress(version, log.getRegressLog().getRequest());
      case MULTI_INFERENCE_LOG -> replayer.multiInference(version, log.getMultiInferenceLog().getRequest());
      default -> throw ServingException.unimplemented("Unsupported log_type for warmup: " + log.getLogTypeCase());
    };
  }
}
