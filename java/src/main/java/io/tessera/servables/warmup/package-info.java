/**
 * Model warmup: reads {@code assets.extra/tf_serving_warmup_requests} (TFRecord of PredictionLog)
 * and replays it before a version becomes AVAILABLE. Imports servables, servables.inference,
 * tensor and status.
 */
package io.tessera.servables.warmup;
