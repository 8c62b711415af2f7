/**
 * The Open Inference Protocol's gRPC half: {@code inference.GRPCInferenceService} (health,
 * metadata, ModelInfer with typed contents or raw_input_contents / raw_output_contents, and
 * Triton's repository RPCs), registered on the gRPC listener beside TF Serving's services.
 * Decodes into the pipeline's typed calls and encodes their results; errors are gRPC statuses
 * with the pipeline's codes. Imports v2, serving, tensor and status; never {@code grpc},
 * {@code http} or {@code server}.
 */
package io.tessera.v2.grpc;
