package io.tessera.serving;

/**
 * Which model version a call names: {@code version} wins over {@code label}; neither (null and
 * "") means the latest AVAILABLE version. A null {@code name} ({@link #MISSING_SPEC}) is a gRPC
 * request without a ModelSpec, refused as TF Serving refuses it ("Missing ModelSpec"); an empty
 * name is a ModelSpec without a name ("ModelSpec has no name specified.").
 */
public record ModelRef(String name, Long version, String label) {
  /** A request that carries no ModelSpec at all. */
  public static final ModelRef MISSING_SPEC = new ModelRef(null, null, "");

  public ModelRef {
    label = label == null ? "" : label;
  }

  public static ModelRef latest(String name) {
    return new ModelRef(name, null, "");
  }

  /** The request had no ModelSpec. */
  public boolean specMissing() {
    return name == null;
  }
}
