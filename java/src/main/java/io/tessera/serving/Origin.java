package io.tessera.serving;

/**
 * Where a call came from and the API label its metrics carry: TF Serving's gRPC method name
 * (Predict, Classify, Regress, MultiInference, GetModelMetadata) or the REST verb (predict,
 * classify, regress, "" for status and metadata).
 */
public record Origin(EntryPoint entryPoint, String api) {
  /** The front ends; the label is TF Serving's {@code entrypoint} value. */
  public enum EntryPoint {
    REST("REST"),
    GRPC("GRPC"),
    /**
     * Warmup replay at load: records run metrics (TF Serving's warmup runs RunPredict & co.,
     * which record runtime latency) but no request metrics (no client request was served).
     */
    WARMUP(null);

    private final String label;

    EntryPoint(String label) {
      this.label = label;
    }

    /** The request metrics' entrypoint label; null when this entry point records no requests. */
    public String label() {
      return label;
    }
  }

  public static Origin rest(String verb) {
    return new Origin(EntryPoint.REST, verb);
  }

  public static Origin grpc(String method) {
    return new Origin(EntryPoint.GRPC, method);
  }

  public static Origin warmup(String method) {
    return new Origin(EntryPoint.WARMUP, method);
  }
}
