package io.tessera.serving;

import io.tessera.core.ServableId;
import io.tessera.image.LabelScore;
import io.tessera.tensor.OutputTensor;
import java.util.List;

/**
 * A finished predict as its front end encodes it: the resolved version, the signature that ran
 * and its outputs. The outputs are views into TensorFlow's memory, valid only during the
 * encoder call the pipeline hands this to, unless the encoder calls {@link #keepOutputs()}.
 *
 * @param topK labelled top-k rows per image (encoded-image calls that asked, or whose model sets
 *     default_top_k), else null
 */
public record Predicted(ServableId id, String signatureKey, List<OutputTensor> outputs,
    List<List<LabelScore>> topK, Lease lease) {
  /** How outputs outlive the encoder call. */
  public interface Lease {
    /** See {@link Predicted#keepOutputs()}. */
    AutoCloseable keep();
  }

  /** A result whose outputs cannot be kept past the encoder call (tests). */
  public Predicted(ServableId id, String signatureKey, List<OutputTensor> outputs, List<List<LabelScore>> topK) {
    this(id, signatureKey, outputs, topK, () -> {
      throw new IllegalStateException("these outputs cannot be kept");
    });
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
