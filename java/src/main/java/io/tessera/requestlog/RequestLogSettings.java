package io.tessera.requestlog;

import io.tessera.proto.serving.config.LoggingConfig;
import io.tessera.proto.serving.config.PerTaskSamplingConfig;
import io.tessera.proto.serving.config.SamplingConfig;
import io.tessera.status.ServingException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * One model's validated {@code logging_config} with the server-wide options applied: the
 * collector type and prefix, and the sampling config in effect (TF Serving's RequestLogger rule:
 * the first {@code per_task_sampling_configs} entry whose dc and task_index match this server's
 * {@code --log_task} replaces {@code sampling_rate}; an entry with an empty dc and no task_index
 * matches any server).
 *
 * @param sampling the sampling config stored in every record's LogMetadata
 */
public record RequestLogSettings(String type, String filenamePrefix, SamplingConfig sampling,
    ServerOptions server) {
  /** The collector types this server provides. */
  public static final String FILE = "file";
  public static final String STDOUT_JSON = "stdout_json";
  public static final List<String> TYPES = List.of(FILE, STDOUT_JSON);
  /** --request_log_max_file_bytes's default. */
  public static final long DEFAULT_MAX_FILE_BYTES = 128L << 20;

  /**
   * Server-wide logging options.
   *
   * @param dc --log_task's data-centre part ("" = none)
   * @param taskIndex --log_task's index part, or -1 when not given
   * @param maxFileBytes --request_log_max_file_bytes: a file is rotated before it would pass this
   */
  public record ServerOptions(String dc, int taskIndex, long maxFileBytes) {
    public static final ServerOptions DEFAULTS = new ServerOptions("", -1, DEFAULT_MAX_FILE_BYTES);

    /** Parses --log_task: {@code dc}, {@code dc/index} or {@code /index} (empty = no task). */
    public static ServerOptions parse(String logTask, long maxFileBytes) {
      if (maxFileBytes <= 0) {
        throw ServingException.invalidArgument("--request_log_max_file_bytes must be positive, got " + maxFileBytes);
      }
      int slash = logTask.indexOf('/');
      if (slash < 0) {
        return new ServerOptions(logTask, -1, maxFileBytes);
      }
      try {
        return new ServerOptions(logTask.substring(0, slash), Integer.parseInt(logTask.substring(slash + 1)),
            maxFileBytes);
      } catch (NumberFormatException e) {
        throw ServingException.invalidArgument("--log_task must be dc, dc/index or /index, got " + logTask);
      }
    }
  }

  /**
   * Whether {@code config} asks for logging at all (a collector type is set); an unset
   * logging_config logs nothing, as in TF Serving.
   */
  public static boolean enabled(LoggingConfig config) {
    return !config.getLogCollectorConfig().getType().isEmpty();
  }

  /**
   * Validates and resolves a model's logging config.
   *
   * @throws ServingException INVALID_ARGUMENT naming the model and field: an unknown type (with the
   *     supported ones), a file collector without filename_prefix, a rate outside [0, 1]
   */
  public static RequestLogSettings of(String model, LoggingConfig config, ServerOptions server) {
    String type = config.getLogCollectorConfig().getType();
    String prefix = config.getLogCollectorConfig().getFilenamePrefix();
    if (!TYPES.contains(type)) {
      throw ServingException.invalidArgument("Model " + model + ": logging_config.log_collector_config has unknown"
          + " type \"" + type + "\"; supported types: \"" + String.join("\", \"", TYPES) + "\"");
    }
    if (type.equals(FILE) && prefix.isEmpty()) {
      throw ServingException.invalidArgument("Model " + model + ": log_collector_config type \"file\" needs a "
          + "filename_prefix (files are named <filename_prefix>.<version>.<time>.<n>.tfrecord)");
    }
    SamplingConfig sampling = config.getSamplingConfig();
    for (PerTaskSamplingConfig task : sampling.getPerTaskSamplingConfigsList()) {
      checkRate(model, "per_task_sampling_configs.sampling_rate", task.getSamplingRate());
    }
    for (PerTaskSamplingConfig task : sampling.getPerTaskSamplingConfigsList()) {
      boolean dcMatches = task.getDc().isEmpty() || task.getDc().equals(server.dc());
      boolean taskMatches = !task.hasTaskIndex() || task.getTaskIndex() == server.taskIndex();
      if (dcMatches && taskMatches) {
        sampling = sampling.toBuilder().setSamplingRate(task.getSamplingRate()).build();
        break;
      }
    }
    checkRate(model, "sampling_rate", sampling.getSamplingRate());
    return new RequestLogSettings(type, prefix, sampling, server);
  }

  private static void checkRate(String model, String field, double rate) {
    if (!(rate >= 0 && rate <= 1)) {
      throw ServingException.invalidArgument("Model " + model + ": logging_config.sampling_config." + field
          + " must be in [0, 1], got " + rate);
    }
  }

  /** The fraction of calls logged. */
  public double samplingRate() {
    return sampling.getSamplingRate();
  }

  /**
   * Why a file collector could not write under its prefix (the directory cannot be created or is
   * not writable), else empty. Creates the directory when missing.
   */
  public Optional<String> unwritable(String model) {
    if (!type.equals(FILE)) {
      return Optional.empty();
    }
    Path dir = Path.of(filenamePrefix).toAbsolutePath().getParent();
    try {
      Files.createDirectories(dir);
    } catch (IOException | SecurityException e) {
      return Optional.of("model " + model + ": cannot create request log directory " + dir + " (" + e + ")");
    }
    if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
      return Optional.of("model " + model + ": request log directory " + dir + " is not writable (filename_prefix "
          + filenamePrefix + ")");
    }
    return Optional.empty();
  }
}
