package io.tessera.servables.batching;

import io.tessera.config.TextOrJsonConfig;
import io.tessera.nativebridge.BatchingSession;
import io.tessera.proto.serving.config.BatchingParameters;
import io.tessera.status.ServingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * TF Serving's BatchingParameters, validated, with TF's SharedBatchScheduler defaults for unset
 * fields: max_batch_size 1000, batch_timeout_micros 0, max_enqueued_batches 10,
 * num_batch_threads = CPUs. allowed_batch_sizes must increase and end at max_batch_size. Pure.
 * enable_large_batch_splitting cuts a request larger than max_batch_size into chunks of at most
 * max_execution_batch_size rows; pad_variable_length_inputs lets requests whose non-batch
 * dimensions differ share a batch, zero-padded to the largest. Tessera's
 * target_p99_latency_micros (positive) turns on adaptive batching: the native scheduler chooses
 * the timeout and batch size limit for that objective.
 */
public record BatchingOptions(BatchingSession.Settings settings, String source) {
  /** The per-version file read with --enable_per_model_batching_parameters. */
  public static final String PER_MODEL_FILE = "batching_params.pbtxt";
  /** The source of options built from TF's defaults rather than read from a file. */
  public static final String DEFAULTS = "defaults";

  /** The file these options were read from, or null for {@link #DEFAULTS}. */
  public Path file() {
    return source.equals(DEFAULTS) ? null : Path.of(source);
  }

  public static BatchingOptions fromFile(Path file) {
    return of(TextOrJsonConfig.parse(file, BatchingParameters.newBuilder()), file.toString());
  }

  /** The per-model file in {@code versionDir}, or {@code fallback} (may be null) when it has none. */
  public static BatchingOptions forVersion(Path versionDir, BatchingOptions fallback) {
    Path file = versionDir.resolve(PER_MODEL_FILE);
    return Files.isRegularFile(file) ? fromFile(file) : fallback;
  }

  public static BatchingOptions of(BatchingParameters p, String source) {
    long max = p.hasMaxBatchSize() ? p.getMaxBatchSize().getValue() : 1000;
    long timeout = p.hasBatchTimeoutMicros() ? p.getBatchTimeoutMicros().getValue() : 0;
    long enqueued = p.hasMaxEnqueuedBatches() ? p.getMaxEnqueuedBatches().getValue() : 10;
    long threads = p.hasNumBatchThreads() ? p.getNumBatchThreads().getValue()
        : Runtime.getRuntime().availableProcessors();
    if (max <= 0 || timeout < 0 || enqueued <= 0 || threads <= 0 || threads > 1024) {
      throw ServingException.invalidArgument("Invalid batching parameters in " + source
          + ": max_batch_size, max_enqueued_batches and num_batch_threads must be positive and "
          + "batch_timeout_micros non-negative");
    }
    List<Long> allowed = p.getAllowedBatchSizesList();
    for (int i = 0; i < allowed.size(); i++) {
      if (allowed.get(i) <= 0 || (i > 0 && allowed.get(i) <= allowed.get(i - 1))) {
        throw ServingException.invalidArgument("allowed_batch_sizes entries must be positive and "
            + "increasing (" + source + ")");
      }
    }
    if (!allowed.isEmpty() && allowed.get(allowed.size() - 1) != max) {
      throw ServingException.invalidArgument("Last entry in allowed_batch_sizes must match max_batch_size; "
          + "last entry was " + allowed.get(allowed.size() - 1) + "; expected " + max + " (" + source + ")");
    }
    boolean split = p.hasEnableLargeBatchSplitting() && p.getEnableLargeBatchSplitting().getValue();
    long maxExecution = p.hasMaxExecutionBatchSize() ? p.getMaxExecutionBatchSize().getValue() : max;
    if (split && (maxExecution <= 0 || maxExecution > max)) {
      throw ServingException.invalidArgument("max_execution_batch_size must be in [1, max_batch_size] (" + source + ")");
    }
    long target = p.hasTargetP99LatencyMicros() ? p.getTargetP99LatencyMicros().getValue() : 0;
    if (p.hasTargetP99LatencyMicros() && target <= 0) {
      throw ServingException.invalidArgument("target_p99_latency_micros must be positive (" + source + ")");
    }
    long[] sizes = allowed.stream().mapToLong(Long::longValue).toArray();
    return new BatchingOptions(new BatchingSession.Settings(max, timeout, enqueued, (int) threads, sizes,
        split, split ? maxExecution : 0, p.getPadVariableLengthInputs(), target), source);
  }
}
