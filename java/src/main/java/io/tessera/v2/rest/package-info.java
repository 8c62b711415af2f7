/**
 * The Open Inference Protocol's REST half on the REST listener, beside TF Serving's {@code /v1}:
 * {@code /v2} health, server and model metadata, model ready, infer (JSON tensors and Triton's
 * binary tensor data extension, classification) and the model repository extension, with
 * Triton's {@code {"error": "..."}} bodies. Plugs into the listener as a
 * {@link io.tessera.transport.HttpApi}; decodes into the pipeline's typed calls and encodes their
 * results. Imports v2, serving, tensor, status and transport; never {@code http}, {@code grpc}
 * or {@code server}.
 */
package io.tessera.v2.rest;
