package io.tessera.http;

import io.tessera.status.ServingException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed TF Serving REST path: {@code /v1/models/{name}[/versions/{v} | /labels/{l}]} followed by
 * {@code /metadata} (GET), nothing (GET status) or {@code :predict|:classify|:regress} (POST).
 * As in TF Serving's {@code http_rest_api_util.cc} ({@code ParseModelInfo}), the regexes run over
 * the raw {@link RequestTarget#uriPath} (query included, so {@code ?x} becomes part of the name or
 * spoils the match), case-insensitively, but the verb and {@code metadata} are then compared
 * exactly ({@code :PREDICT} is malformed, {@code /METADATA} is a status request); name and label
 * are percent-decoded once, as curl_easy_unescape does; the version must be digits. Pure.
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

  /**
   * Parses an API path (TF Serving's uri_path: raw, query included); INVALID_ARGUMENT
   * "Malformed request" as TF Serving words it.
   */
  public static RestRoute parse(String method, String uriPath) {
    Matcher m;
    if (method.equals("GET") && (m = GET.matcher(uriPath)).matches()) {
      Long version = version(m.group(2));
      if (m.group(1) == null) {
        throw ServingException.invalidArgument("Missing model name in request.");
      }
      Kind kind = "metadata".equals(m.group(4)) ? Kind.METADATA : Kind.STATUS;
      return new RestRoute(kind, decode(m.group(1)), version, decode(m.group(3)));
    }
    if (method.equals("POST") && (m = POST.matcher(uriPath)).matches()) {
      Long version = version(m.group(2));
      Kind kind = switch (m.group(4)) {
        case "predict" -> Kind.PREDICT;
        case "classify" -> Kind.CLASSIFY;
        case "regress" -> Kind.REGRESS;
        default -> null;
      };
      if (kind != null) {
        return new RestRoute(kind, decode(m.group(1)), version, decode(m.group(3)));
      }
    }
    throw ServingException.invalidArgument("Malformed request: " + method + " " + uriPath);
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

  /**
   * Percent-decodes once, as curl_easy_unescape does: each {@code %XX} becomes its byte, anything
   * else (a '+', a '%' without two hex digits) stays as it is; the bytes are read as UTF-8.
   */
  static String decode(String s) {
    if (s == null || s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < s.length() && RequestTarget.isHex(s.charAt(i + 1))
          && RequestTarget.isHex(s.charAt(i + 2))) {
        bytes.write(Integer.parseInt(s, i + 1, i + 3, 16));
        i += 2;
      } else {
        byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        bytes.write(encoded, 0, encoded.length);
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
