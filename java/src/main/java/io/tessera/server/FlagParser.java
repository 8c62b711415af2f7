package io.tessera.server;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Parses TF Serving's flag syntax: {@code --name=value}; booleans also as bare {@code --name};
 * values {@code true/false/1/0} (any case). Unknown arguments are reported but not fatal, as
 * TF Serving does; a malformed value is fatal. Pure: returns a result, prints nothing.
 */
public final class FlagParser {
  /** The parse outcome. {@code error} is non-null when the command line must be rejected. */
  public record Result(Map<String, String> values, List<String> unknown, String error) {
    public String get(String name) {
      return values.get(name);
    }

    public int getInt(String name) {
      return Integer.parseInt(values.get(name));
    }

    public long getLong(String name) {
      return Long.parseLong(values.get(name));
    }

    public boolean getBool(String name) {
      return Boolean.parseBoolean(values.get(name));
    }

    public float getFloat(String name) {
      return Float.parseFloat(values.get(name));
    }
  }

  private FlagParser() {}

  public static Result parse(List<Flag> flags, String[] args) {
    Map<String, Flag> known = new HashMap<>();
    Map<String, String> values = new HashMap<>();
    for (Flag f : flags) {
      known.put(f.name(), f);
      values.put(f.name(), f.defaultValue());
    }
    List<String> unknown = new ArrayList<>();
    for (String arg : args) {
      if (!arg.startsWith("--")) {
        unknown.add(arg);
        continue;
      }
      String body = arg.substring(2);
      int eq = body.indexOf('=');
      String name = eq < 0 ? body : body.substring(0, eq);
      Flag flag = known.get(name);
      if (flag == null) {
        unknown.add(arg);
        continue;
      }
      String value = eq < 0 ? null : body.substring(eq + 1);
      String normalized = normalize(flag, value);
      if (normalized == null) {
        return new Result(values, unknown, "Illegal value '" + (value == null ? "" : value)
            + "' for flag --" + name + " (" + flag.type().name().toLowerCase(Locale.ROOT) + ")");
      }
      values.put(name, normalized);
    }
    return new Result(values, unknown, null);
  }

  /** The canonical text of a valid value, or null if invalid. */
  private static String normalize(Flag flag, String value) {
    try {
      switch (flag.type()) {
        case BOOL -> {
          if (value == null) {
            return "true";
          }
          String v = value.toLowerCase(Locale.ROOT);
          return v.equals("true") || v.equals("1") ? "true" : v.equals("false") || v.equals("0") ? "false" : null;
        }
        case INT32 -> {
          return value == null ? null : Integer.toString(Integer.parseInt(value.trim()));
        }
        case INT64 -> {
          return value == null ? null : Long.toString(Long.parseLong(value.trim()));
        }
        case FLOAT -> {
          return value == null ? null : Float.toString(Float.parseFloat(value.trim()));
        }
        default -> {
          return value;
        }
      }
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** TF Serving-style usage text. */
  public static String usage(List<Flag> flags) {
    StringBuilder out = new StringBuilder("usage: tensorflow_model_server\nFlags:\n");
    for (Flag f : flags) {
      out.append(String.format("\t--%s=%s\t%s\t\"%s\"%s%n", f.name(),
          f.defaultValue().isEmpty() ? "\"\"" : f.defaultValue(),
          f.type().name().toLowerCase(Locale.ROOT), f.help(),
          f.implemented() ? "" : " (accepted and ignored: " + f.ignoredBecause() + ")"));
    }
    return out.toString();
  }
}
