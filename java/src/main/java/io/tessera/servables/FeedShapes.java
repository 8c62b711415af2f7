package io.tessera.servables;

import io.tessera.nativebridge.GraphShape;
import io.tessera.status.ServingException;
import io.tessera.tensor.InputTensor;
import io.tessera.tensor.Shapes;
import java.util.Map;

/**
 * Which feeds may reach TensorFlow: TensorFlow's session does not check a fed tensor against the
 * shape its graph was built for, and some kernels then fail a CHECK and abort the process (Conv2D
 * on a rank-3 feed: {@code tensor_format.h Check failed: index >= 0 && index < num_total_dims}).
 * TF's Python client refuses such feeds client-side; a server must refuse them before running.
 *
 * <p>The rule (checked for every run in {@link SignatureRunner}, direct or batched):
 * <ul>
 *   <li>rank above TensorFlow's maximum ({@link Shapes#MAX_RANK}) is refused for every input;
 *   <li>when the signature's tensor is an output of a Placeholder or PlaceholderWithDefault op and
 *       the loaded graph knows its rank, the feed must have that rank.
 * </ul>
 * Only the graph's shape counts, never the SignatureDef's. Known dimensions are not enforced, and
 * tensors produced by other ops are not checked at all, because TF Serving serves such requests and
 * TensorFlow runs them: saved_model_half_plus_two's {@code x:0} is an Identity the graph infers as
 * [?,1] and TF Serving's own example feeds it [3]; the TF2 half_plus_two export's Placeholder
 * {@code regress_x2_to_y3_inputs} is [1] and TensorFlow runs a [2] feed. A wrong known dimension of
 * a placeholder is left to TensorFlow, whose kernels report it as an error status (mobilenet_v2 fed
 * [1,224,224,4]: "input depth must be evenly divisible by filter depth").
 */
public final class FeedShapes {
  private FeedShapes() {}

  /** Refuses, as INVALID_ARGUMENT, the first input of {@code inputs} its spec's graph cannot take. */
  public static void check(Signature signature, Map<String, InputTensor> inputs) {
    for (Map.Entry<String, InputTensor> e : inputs.entrySet()) {
      TensorSpec spec = signature.inputs().get(e.getKey());
      GraphShape graph = spec == null ? GraphShape.UNKNOWN : spec.graphShape();
      if (!compatible(graph, e.getValue().rank())) {  // no shape copy on the common path
        throw ServingException.invalidArgument("input " + e.getKey() + ": "
            + incompatibility(graph, e.getValue().shape()));
      }
    }
  }

  /** Whether a feed of rank {@code rank} passes the rule above. */
  public static boolean compatible(GraphShape graph, int rank) {
    return rank <= Shapes.MAX_RANK && (!graph.placeholder() || graph.rank() < 0 || graph.rank() == rank);
  }

  /** Null when a tensor of shape {@code feed} may be fed to a tensor of shape {@code graph}, else why not. */
  public static String incompatibility(GraphShape graph, long[] feed) {
    if (feed.length > Shapes.MAX_RANK) {
      return "cannot feed a tensor of rank " + feed.length + ": more than TensorFlow's maximum rank "
          + Shapes.MAX_RANK;
    }
    if (compatible(graph, feed.length)) {
      return null;
    }
    return "cannot feed a tensor of shape " + Shapes.debugString(feed) + ": the model's graph expects "
        + graph + " (rank " + graph.rank() + ", got rank " + feed.length + ")";
  }
}
