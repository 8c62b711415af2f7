package io.tessera.serving;

/**
 * Which model version a call names: {@code version} wins over {@code label}; neither (null and
 * "") means the latest AVAILABLE version.
 */
public record ModelRef(String name, Long version, String label) {
  public ModelRef {
    label = label == null ? "" : label;
  }

  public static ModelRef latest(String name) {
    return new ModelRef(name, null, "");
  }
}
