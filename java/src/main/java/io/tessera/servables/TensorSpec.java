package io.tessera.servables;

import io.tessera.nativebridge.GraphShape;
import io.tessera.tensor.DataType;

/**
 * One signature input or output: its alias, the graph tensor it names, the declared dtype number
 * (as the SignatureDef says; {@link #dtype()} is null for dtypes Tessera cannot move), the
 * session endpoint it resolved to (-1 if the graph has no such tensor: using it fails clearly),
 * and the static shape this version's graph gives that tensor ({@link GraphShape#UNKNOWN} for
 * outputs and unresolved tensors). Feeds are checked against the graph shape by
 * {@link FeedShapes}, never against the SignatureDef's shape.
 */
public record TensorSpec(String alias, String tensorName, int dtypeNumber, int endpoint, GraphShape graphShape) {
  public TensorSpec {
    graphShape = graphShape == null ? GraphShape.UNKNOWN : graphShape;
  }

  /** A spec whose graph shape is unknown (outputs, tests). */
  public TensorSpec(String alias, String tensorName, int dtypeNumber, int endpoint) {
    this(alias, tensorName, dtypeNumber, endpoint, GraphShape.UNKNOWN);
  }

  public DataType dtype() {
    return DataType.forNumber(dtypeNumber);
  }
}
