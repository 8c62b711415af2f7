/**
 * What the front ends (REST, gRPC, warmup replay) see of the server. Owns the one request path:
 * {@link io.tessera.serving.Pipeline} turns a typed call ({@link io.tessera.serving.PredictCall},
 * {@link io.tessera.serving.ExamplesCall}, {@link io.tessera.serving.MultiInferenceCall},
 * {@link io.tessera.serving.MetadataCall}, status) into version resolution, checks, the image
 * path, runs and metrics; front ends only decode their wire format into the call and encode the
 * result; it also hands sampled calls to the version's request log
 * ({@link io.tessera.serving.RequestLogs}). Also owns what a served version is
 * ({@link io.tessera.serving.ServedModel}: the servable plus its per-version state, image
 * preprocessing and request log, built by the loader and released with it), version resolution into
 * ref-counted handles ({@link io.tessera.serving.ServerCore}), status and metadata answers, warmup
 * replay through the pipeline (from the file, or synthesized from the SignatureDef), and the
 * model-config controller behind config reloads, with the model-repository view of it
 * ({@link io.tessera.serving.ModelRepository}: index, load, unload). For the Open Inference
 * Protocol the pipeline also takes inputs whose dtype the client declared
 * ({@link io.tessera.serving.DeclaredTensor}: checked against the signature, never converted),
 * answers Triton's classification of an output, and describes a model and its readiness. Imports
 * the lifecycle ({@code core}, {@code sources}, {@code config}), the servables, images, tensors,
 * metrics and the request log ({@code requestlog}); never a front end, the transport or the
 * composition root ({@code server}).
 */
package io.tessera.serving;
