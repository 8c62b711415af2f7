package io.tessera.v2.rest;

import io.tessera.status.ServingException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A parsed {@code /v2} path: server health and metadata, {@code /v2/models/{name}[/versions/{v}]}
 * followed by nothing (metadata), {@code /ready} or {@code /infer}, and the repository's
 * {@code /v2/repository/index} and {@code /v2/repository/models/{name}/load|unload}. Names are
 * URL-decoded. Pure.
 */
record V2Route(Kind kind, String model, String version) {
  enum Kind { LIVE, READY, SERVER_METADATA, MODEL_METADATA, MODEL_READY, INFER, INDEX, LOAD, UNLOAD }

  private static final Pattern MODEL = Pattern.compile("/v2/models/([^/]+)(?:/versions/([^/]+))?(/ready|/infer)?");
  private static final Pattern REPOSITORY = Pattern.compile("/v2/repository/models/([^/]+)/(load|unload)");

  static boolean owns(String path) {
    return path.equals("/v2") || path.startsWith("/v2/");
  }

  /** @throws ServingException NOT_FOUND for a path or method the protocol does not have */
  static V2Route parse(String method, String path) {
    boolean get = method.equals("GET");
    boolean post = method.equals("POST");
    switch (path) {
      case "/v2/health/live":
        return get ? new V2Route(Kind.LIVE, null, null) : unknown(method, path);
      case "/v2/health/ready":
        return get ? new V2Route(Kind.READY, null, null) : unknown(method, path);
      case "/v2":
        return get ? new V2Route(Kind.SERVER_METADATA, null, null) : unknown(method, path);
      case "/v2/repository/index":
        return post ? new V2Route(Kind.INDEX, null, null) : unknown(method, path);
      default:
        break;
    }
    Matcher m = MODEL.matcher(path);
    if (m.matches()) {
      String tail = m.group(3);
      Kind kind = tail == null ? Kind.MODEL_METADATA : tail.equals("/ready") ? Kind.MODEL_READY : Kind.INFER;
      if ((kind == Kind.INFER) != post || (kind != Kind.INFER && !get)) {
        return unknown(method, path);
      }
      return new V2Route(kind, decode(m.group(1)), decode(m.group(2)));
    }
    m = REPOSITORY.matcher(path);
    if (m.matches() && post) {
      return new V2Route(m.group(2).equals("load") ? Kind.LOAD : Kind.UNLOAD, decode(m.group(1)), null);
    }
    return unknown(method, path);
  }

  private static V2Route unknown(String method, String path) {
    throw ServingException.notFound("Not Found: " + method + " " + path);
  }

  private static String decode(String s) {
    try {
      return s == null ? null : URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw ServingException.invalidArgument("malformed percent-encoding in " + s);
    }
  }
}
