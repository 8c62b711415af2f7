package io.tessera.servables;

import io.tessera.tensor.DataType;

/**
 * One signature input or output: its alias, the graph tensor it names, the declared dtype number
 * (as the SignatureDef says; {@link #dtype()} is null for dtypes Tessera cannot move), and the
 * session endpoint it resolved to (-1 if the graph has no such tensor: using it fails clearly).
 */
public record TensorSpec(String alias, String tensorName, int dtypeNumber, int endpoint) {
  public DataType dtype() {
    return DataType.forNumber(dtypeNumber);
  }
}
