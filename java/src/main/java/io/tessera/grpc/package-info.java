/**
 * The gRPC front end: {@code tensorflow.serving.PredictionService} and {@code ModelService} on
 * grpc-java, wire-compatible with TF Serving. Decodes requests into the request pipeline's typed
 * calls (resolution, checks, image decoding, runs and metrics are the pipeline's), encodes
 * results and errors (status codes, 1024-character texts), Predict through its own marshallers
 * (tensor bytes from the transport's buffers straight into native input buffers, responses from
 * TensorFlow's output memory: {@code PredictRequestMarshaller}, {@code PredictResponseMarshaller});
 * owns the listener, its limits, the
 * request memory accounting and the inline/worker offload. Imports serving, tensor, admission,
 * transport and status only (checked by PackageCyclesTest); never {@code http} or {@code server}.
 */
package io.tessera.grpc;
