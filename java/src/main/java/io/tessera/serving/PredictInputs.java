package io.tessera.serving;

import io.tessera.proto.tf.TensorProto;
import io.tessera.tensor.DataType;
import io.tessera.tensor.InputTensor;
import io.tessera.tensor.TensorProtoCodec;
import io.tessera.tensor.WireTensorData;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A predict call's inputs as its front end decoded them. The pipeline owns them once the call is
 * passed: it closes every tensor (given or decoded) when the call ends, however it ends.
 */
public sealed interface PredictInputs {
  /** Tensors already in native buffers (REST JSON's zero-copy fill). */
  record Tensors(Map<String, InputTensor> tensors) implements PredictInputs {}

  /**
   * Wire tensors by alias (gRPC, warmup). A DT_STRING tensor under an image model's input alias
   * is a batch of encoded images and is decoded as such; the rest are checked against the
   * signature's dtypes and decoded with the bounded codec.
   *
   * @param trusted warmup records from the model's own directory: no declared-dtype check
   * @param data by alias, the field a transport moved out of that alias's proto into native
   *     memory ({@link TensorProtoCodec#decode(String, TensorProto, WireTensorData)}); owned by
   *     the pipeline with the rest
   */
  record Protos(Map<String, TensorProto> tensors, boolean trusted, Map<String, WireTensorData> data)
      implements PredictInputs {
    public Protos(Map<String, TensorProto> tensors, boolean trusted) {
      this(tensors, trusted, Map.of());
    }
  }

  /**
   * Encoded images (JPEG/PNG) for the version's image input.
   *
   * @param encoded each buffer's bytes from position to limit (heap, or slices of a request's
   *     direct buffer that the front end keeps alive for the call)
   * @param topK labelled top-k entries to compute per image; 0 = the model's default_top_k
   */
  record Images(List<ByteBuffer> encoded, int topK) implements PredictInputs {}

  /**
   * Tensors by name whose dtype and shape the client declared (Open Inference Protocol). The
   * pipeline checks names and dtypes against the signature and decodes them (see
   * {@link DeclaredTensor}); {@code typeName} spells a dtype in the client's protocol for error
   * messages (e.g. DT_FLOAT as "FP32").
   */
  record Declared(Map<String, DeclaredTensor> tensors, Function<DataType, String> typeName)
      implements PredictInputs {}

  /**
   * Inputs that can only be decoded once the version is known (REST JSON: the zero-copy fill
   * needs the signature's dtypes, the image check the version's image config).
   */
  non-sealed interface Deferred extends PredictInputs {
    /**
     * Decodes against the resolved version; the result's tensors belong to the pipeline.
     *
     * @return the signature name the body asked for ("" = the default) and its inputs (never
     *     another Deferred)
     */
    Decoded decode(ServedModel version);

    /**
     * Called when the version cannot be resolved, before that error is reported: throws the
     * body's own errors that TF Serving reports first (JSON syntax, root not an object, a
     * non-string signature_name). Default: nothing to check.
     */
    default void checkBeforeLookup() {}
  }

  /** What a {@link Deferred} decoded to. */
  record Decoded(String signatureName, PredictInputs inputs) {}
}
