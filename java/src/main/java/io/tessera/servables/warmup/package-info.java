/**
 * Model warmup: reads {@code assets.extra/tf_serving_warmup_requests} (TFRecord of PredictionLog)
 * and replays it through a {@link io.tessera.servables.warmup.WarmupReplayer} before a version
 * becomes AVAILABLE. The server's replayer ({@code io.tessera.serving.WarmupReplay}) sends each
 * record through the request pipeline; this package never sees it. Imports status (and the
 * protos).
 */
package io.tessera.servables.warmup;
