package io.tessera.core;

/** One version of one named servable (model). */
public record ServableId(String name, long version) {
  @Override
  public String toString() {
    return "{name: " + name + " version: " + version + "}";
  }
}
