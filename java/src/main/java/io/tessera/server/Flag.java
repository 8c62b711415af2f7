package io.tessera.server;

/**
 * One command-line flag as TF Serving's {@code tensorflow_model_server} declares it: name, type,
 * default (as text) and help. {@code ignoredBecause} is null for a flag Tessera acts on (a value it
 * cannot honour fails start-up, see {@link ServerOptions}); otherwise the flag is accepted for
 * compatibility and ignored, and the text says why ignoring it is harmless (--help prints it).
 */
public record Flag(String name, Type type, String defaultValue, String help, String ignoredBecause) {
  public enum Type { BOOL, INT32, INT64, FLOAT, STRING }

  static Flag of(String name, Type type, String defaultValue, String help) {
    return new Flag(name, type, defaultValue, help, null);
  }

  /** A flag accepted and ignored; {@code reason} says why that is harmless. */
  static Flag ignored(String name, Type type, String defaultValue, String help, String reason) {
    return new Flag(name, type, defaultValue, help, reason);
  }

  public boolean implemented() {
    return ignoredBecause == null;
  }
}
