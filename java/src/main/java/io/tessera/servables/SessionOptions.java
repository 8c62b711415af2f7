package io.tessera.servables;

import io.tessera.proto.tf.ConfigProto;
import io.tessera.status.ServingException;
import java.util.List;

/**
 * How SavedModel sessions are created: MetaGraph tags and the TensorFlow ConfigProto built from
 * TF Serving's flags. Pure; validated once at start-up.
 */
public record SessionOptions(List<String> tags, ConfigProto config) {
  public SessionOptions {
    tags = List.copyOf(tags);
  }

  /**
   * TF Serving's rules: --tensorflow_session_parallelism sets both pools; intra/inter override
   * it individually; all three > 0 at once is an error. 0 means TensorFlow's default.
   */
  public static SessionOptions fromFlags(String savedModelTags, long sessionParallelism,
      long intraOp, long interOp, ConfigProto base) {
    if (sessionParallelism > 0 && intraOp > 0 && interOp > 0) {
      throw ServingException.invalidArgument("Either configure "
          + "'tensorflow_session_parallelism' or ('tensorflow_intra_op_parallelism', "
          + "'tensorflow_inter_op_parallelism'). Both cannot be set.");
    }
    ConfigProto.Builder config = base == null ? ConfigProto.newBuilder() : base.toBuilder();
    if (sessionParallelism > 0) {
      config.setIntraOpParallelismThreads((int) sessionParallelism);
      config.setInterOpParallelismThreads((int) sessionParallelism);
    }
    if (intraOp > 0) {
      config.setIntraOpParallelismThreads((int) intraOp);
    }
    if (interOp > 0) {
      config.setInterOpParallelismThreads((int) interOp);
    }
    List<String> tags = List.of(savedModelTags.split(",")).stream()
        .map(String::trim).filter(t -> !t.isEmpty()).toList();
    return new SessionOptions(tags, config.build());
  }

  public byte[] configBytes() {
    return config.toByteArray();
  }
}
