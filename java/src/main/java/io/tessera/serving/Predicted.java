package io.tessera.serving;

import io.tessera.core.ServableId;
import io.tessera.image.LabelScore;
import io.tessera.tensor.OutputTensor;
import java.util.List;
import java.util.Map;

/**
 * A finished predict as its front end encodes it: the resolved version, the signature that ran
 * and its outputs. The outputs are views into TensorFlow's memory, valid only during the
 * encoder call the pipeline hands this to, unless the encoder calls {@link #keepOutputs()}.
 *
 * @param topK labelled top-k rows per image (encoded-image calls that asked, or whose model sets
 *     default_top_k), else null
 * @param decodeNanos wall time spent decoding encoded images (0 when there were none)
 * @param runNanos wall time of the model run
 * @param classes per output the call asked to classify: the top-k classes of each batch row
 *     (labelled with the model's labels when it has them); empty when it asked for none
 */
public record Predicted(ServableId id, String signatureKey, List<OutputTensor> outputs,
    List<List<LabelScore>> topK, long decodeNanos, long runNanos, Map<String, List<List<LabelScore>>> classes,
    Lease lease) {
  /** How outputs outlive the encoder call. */
  public interface Lease {
    /** See {@link Predicted#keepOutputs()}. */
    AutoCloseable keep();
  }

  /** A result whose outputs cannot be kept past the encoder call (tests). */
  private static final Lease NOT_KEPT = () -> {
    throw new IllegalStateException("these outputs cannot be kept");
  };

  /** A result with classifications whose outputs cannot be kept past the encoder call. */
  public Predicted(ServableId id, String signatureKey, List<OutputTensor> outputs, List<List<LabelScore>> topK,
      long decodeNanos, long runNanos, Map<String, List<List<LabelScore>>> classes) {
    this(id, signatureKey, outputs, topK, decodeNanos, runNanos, classes, NOT_KEPT);
  }

  /** A result without classifications. */
  public Predicted(ServableId id, String signatureKey, List<OutputTensor> outputs, List<List<LabelScore>> topK,
      long decodeNanos, long runNanos) {
    this(id, signatureKey, outputs, topK, decodeNanos, runNanos, Map.of());
  }

  /**
   * Keeps the outputs (and the version that made them) alive after the encoder returns, for a
   * front end that writes them later; call it at most once, from the encoder. The returned handle
   * frees them on its first close, from any thread; the front end must close it on every path.
   */
  public AutoCloseable keepOutputs() {
    return lease.keep();
  }
}
