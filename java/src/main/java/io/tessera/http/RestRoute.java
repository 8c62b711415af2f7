package io.tessera.http;

import io.tessera.status.ServingException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed TF Serving REST path: {@code /v1/models/{name}[/versions/{v} | /labels/{l}]} followed by
 * {@code /metadata} (GET), nothing (GET status) or {@code :predict|:classify|:regress} (POST).
 * Name and label are URL-decoded; the version must be digits. Pure.
 */
public record RestRoute(Kind kind, String modelName, Long version, String label) {
  public enum Kind { STATUS, METADATA, PREDICT, CLASSIFY, REGRESS }

  private static final Pattern V1 = Pattern.compile("(?i)/v1/.*");
  private static final Pattern GET = Pattern.compile(
      "(?i)/v1/models(?:/([^/:]+))?(?:(?:/versions/(\\d+))|(?:/labels/([^/:]+)))?(?:/(metadata))?");
  private static final Pattern POST = Pattern.compile(
      "(?i)/v1/models/([^/:]+)(?:(?:/versions/(\\d+))|(?:/labels/([^/:]+)))?:(classify|regress|predict)");

  /** True for paths TF Serving's REST handler owns (everything under /v1/). */
  public static boolean isApiPath(String path) {
    return V1.matcher(path).matches();
  }

  /** Parses an API path; INVALID_ARGUMENT "Malformed request" as TF Serving words it. */
  public static RestRoute parse(String method, String path) {
    Matcher m;
    if (method.equals("GET") && (m = GET.matcher(path)).matches()) {
      if (m.group(1) == null) {
        throw ServingException.invalidArgument("Missing model name in request.");
      }
      Kind kind = m.group(4) != null ? Kind.METADATA : Kind.STATUS;
      return new RestRoute(kind, decode(m.group(1)), version(m.group(2)), decode(m.group(3)));
    }
    if (method.equals("POST") && (m = POST.matcher(path)).matches()) {
      Kind kind = Kind.valueOf(m.group(4).toUpperCase(Locale.ROOT));
      return new RestRoute(kind, decode(m.group(1)), version(m.group(2)), decode(m.group(3)));
    }
    throw ServingException.invalidArgument("Malformed request: " + method + " " + path);
  }

  private static Long version(String digits) {
    if (digits == null) {
      return null;
    }
    try {
      return Long.parseLong(digits);
    } catch (NumberFormatException e) {
      throw ServingException.invalidArgument("Failed to convert version: " + digits + " to numeric.");
    }
  }

  /** URL-decodes; INVALID_ARGUMENT for malformed percent-encoding (e.g. a lone "%"). */
  private static String decode(String s) {
    try {
      return s == null ? null : URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw ServingException.invalidArgument("Malformed request: bad percent-encoding in " + s);
    }
  }
}
