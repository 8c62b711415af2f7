package io.tessera.server;

/**
 * One command-line flag as TF Serving's {@code tensorflow_model_server} declares it: name, type,
 * default (as text) and help. {@code implemented} is false for flags Tessera accepts for
 * compatibility but does not act on yet: setting one logs a warning instead of failing.
 */
public record Flag(String name, Type type, String defaultValue, String help, boolean implemented) {
  public enum Type { BOOL, INT32, INT64, FLOAT, STRING }

  static Flag of(String name, Type type, String defaultValue, String help) {
    return new Flag(name, type, defaultValue, help, true);
  }

  static Flag later(String name, Type type, String defaultValue, String help) {
    return new Flag(name, type, defaultValue, help, false);
  }
}
