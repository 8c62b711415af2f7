package io.tessera.cli;

import io.tessera.proto.serving.ClassifyLog;
import io.tessera.proto.serving.MultiInferenceLog;
import io.tessera.proto.serving.PredictLog;
import io.tessera.proto.serving.PredictionLog;
import io.tessera.proto.serving.RegressLog;
import io.tessera.servables.warmup.ModelWarmup;
import io.tessera.servables.warmup.TFRecordReader;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code tessera warmup --from=LOGS --model_dir=VERSION_DIR [--max_records=N]}: builds
 * {@code VERSION_DIR/assets.extra/tf_serving_warmup_requests} from request logs (TFRecord files of
 * PredictionLog, as the {@code file} log collector writes them). {@code --from} takes files or
 * directories (their {@code *.tfrecord} files, by name), comma-separated. The first N records
 * (at most TF Serving's 1000, the default) of the kinds warmup replays (predict, classify, regress,
 * multi-inference) are kept with their responses and metadata stripped; a torn or corrupt tail
 * of a file (a server killed mid-write) ends that file with a warning. The file is replaced
 * atomically.
 */
public final class WarmupFromLogs {
  static final String USAGE = "usage: tessera warmup --from=<log files or dirs, comma-separated> "
      + "--model_dir=<SavedModel version dir> [--max_records=N (<= " + ModelWarmup.MAX_RECORDS + ")]";

  private WarmupFromLogs() {}

  /** Exit status: 0 written, 1 nothing to write or an I/O failure, 2 bad arguments. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    String from = null;
    String modelDir = null;
    int max = ModelWarmup.MAX_RECORDS;
    for (String a : args) {
      if (a.startsWith("--from=")) {
        from = a.substring("--from=".length());
      } else if (a.startsWith("--model_dir=")) {
        modelDir = a.substring("--model_dir=".length());
      } else if (a.startsWith("--max_records=")) {
        try {
          max = Integer.parseInt(a.substring("--max_records=".length()));
        } catch (NumberFormatException e) {
          max = -1;
        }
      } else {
        err.println("tessera warmup: unknown argument " + a + "\n" + USAGE);
        return 2;
      }
    }
    if (from == null || modelDir == null || max < 1 || max > ModelWarmup.MAX_RECORDS) {
      err.println(USAGE);
      return 2;
    }
    Path dir = Path.of(modelDir);
    if (!Files.isRegularFile(dir.resolve("saved_model.pb")) && !Files.isRegularFile(dir.resolve("saved_model.pbtxt"))) {
      err.println("tessera warmup: " + dir + " is not a SavedModel version directory (no saved_model.pb)");
      return 2;
    }
    try {
      List<PredictionLog> records = new ArrayList<>();
      int read = 0;
      for (Path file : logFiles(from)) {
        read += readRequests(file, records, max, err);
      }
      if (records.isEmpty()) {
        err.println("tessera warmup: no replayable records in " + from + " (" + read + " read)");
        return 1;
      }
      Path target = dir.resolve(ModelWarmup.FILE);
      write(target, records);
      out.println("Wrote " + records.size() + " warmup record(s) (of " + read + " read) to " + target);
      return 0;
    } catch (IOException e) {
      err.println("tessera warmup: " + e.getMessage());
      return 1;
    }
  }

  private static List<Path> logFiles(String from) throws IOException {
    List<Path> files = new ArrayList<>();
    for (String part : from.split(",")) {
      Path p = Path.of(part.trim());
      if (Files.isDirectory(p)) {
        try (Stream<Path> listing = Files.list(p)) {
          listing.filter(f -> f.getFileName().toString().endsWith(".tfrecord")).sorted().forEach(files::add);
        }
      } else if (Files.isRegularFile(p)) {
        files.add(p);
      } else {
        throw new IOException("no such log file or directory: " + p);
      }
    }
    return files;
  }

  /** Adds the file's replayable requests (up to {@code max} in all); returns the records read. */
  private static int readRequests(Path file, List<PredictionLog> into, int max, PrintStream err) throws IOException {
    int read = 0;
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
      TFRecordReader reader = new TFRecordReader(in);
      while (into.size() < max) {
        byte[] record;
        try {
          record = reader.next();
        } catch (IOException torn) {
          err.println("tessera warmup: " + file + ": stopped at a damaged record (" + torn.getMessage() + ")");
          break;
        }
        if (record == null) {
          break;
        }
        read++;
        PredictionLog request = requestOnly(PredictionLog.parseFrom(record));
        if (request != null) {
          into.add(request);
        }
      }
    }
    return read;
  }

  /** The log with only its request, or null for kinds warmup does not replay. */
  static PredictionLog requestOnly(PredictionLog log) {
    PredictionLog.Builder b = PredictionLog.newBuilder();
    return switch (log.getLogTypeCase()) {
      case PREDICT_LOG -> b.setPredictLog(PredictLog.newBuilder().setRequest(log.getPredictLog().getRequest())).build();
      case CLASSIFY_LOG -> b.setClassifyLog(ClassifyLog.newBuilder().setRequest(log.getClassifyLog().getRequest())).build();
      case REGRESS_LOG -> b.setRegressLog(RegressLog.newBuilder().setRequest(log.getRegressLog().getRequest())).build();
      case MULTI_INFERENCE_LOG -> b.setMultiInferenceLog(MultiInferenceLog.newBuilder()
          .setRequest(log.getMultiInferenceLog().getRequest())).build();
      default -> null;
    };
  }

  private static void write(Path target, List<PredictionLog> records) throws IOException {
    Files.createDirectories(target.getParent());
    Path partial = target.resolveSibling(target.getFileName() + ".partial");
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(partial))) {
      for (PredictionLog record : records) {
        out.write(TFRecordReader.frame(record.toByteArray()));
      }
    }
    Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
