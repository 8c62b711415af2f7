/**
 * Request logging (TF Serving's {@code ModelConfig.logging_config}): per loaded version, a
 * {@link io.tessera.requestlog.RequestLogger} samples calls and hands {@code PredictionLog}s to a
 * bounded queue drained by its own writer thread into a {@link io.tessera.requestlog.LogCollector}
 * ({@code file}: size-rotated TFRecord files; {@code stdout_json}: one JSON line per log). The
 * request path never blocks on it: a full queue or a failing write drops and counts the record.
 * Imports status, the TFRecord framing of {@code servables.warmup} and the protos; never the
 * pipeline (which calls it) or the metrics (which it reports to through
 * {@link io.tessera.requestlog.RequestLogStats}).
 */
package io.tessera.requestlog;
