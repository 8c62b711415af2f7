package io.tessera.http;

/**
 * The request-target of an HTTP request line as TF Serving's HTTP server reads it: net_http's
 * {@code ParsedEvRequest::decode} runs libevent's strict {@code evhttp_uri_parse} (RFC 3986
 * characters only; a {@code %} only before two hex digits; no spaces, controls or bytes above
 * 0x7F), then hands the handlers the raw, undecoded text. {@link #path} is the URI's path alone
 * (what exact-path pages match); {@link #uriPath} is TF Serving's {@code uri_path()}: the path with
 * {@code ?query} and {@code #fragment} kept, which its REST dispatcher and route regexes match and
 * whose model name and label are then percent-decoded once. An absolute-form target
 * ({@code http://host:port/v1/...}) gives its path. Pure.
 */
record RequestTarget(String path, String uriPath) {
  private static final String SUB_DELIMS = "!$&'()*+,;=";

  /** The target, or null where TF Serving answers 400 Bad Request (libevent's parse fails). */
  static RequestTarget parse(String target) {
    int n = target.length();
    int i = 0;
    int colon = target.indexOf(':');
    boolean scheme = colon > 0 && schemeOk(target, colon);
    if (scheme) {
      i = colon + 1;
    }
    boolean authority = target.startsWith("//", i);
    if (authority) {
      int start = i + 2;
      int end = start;
      while (end < n && "/?#".indexOf(target.charAt(end)) < 0) {
        end++;
      }
      if (!authorityOk(target, start, end)) {
        return null;
      }
      i = end;
    }
    int pathStart = i;
    i = endOfPart(target, i, false);
    String path = target.substring(pathStart, i);
    if (i < n && target.charAt(i) == '?') {
      i = endOfPart(target, i + 1, true);
    }
    if (i < n && target.charAt(i) == '#') {
      i = endOfPart(target, i + 1, true);
    }
    if (i != n
        || (!authority && path.startsWith("//"))
        || (authority && !path.isEmpty() && !path.startsWith("/"))
        || (!scheme && !noSchemePathOk(path))) {
      return null;
    }
    return new RequestTarget(path, target.substring(pathStart));
  }

  /** libevent's end_of_path: pchar / "/" (and "?" outside the path), %XX as one unit. */
  private static int endOfPart(String s, int i, boolean questionMarkAllowed) {
    int n = s.length();
    while (i < n) {
      char c = s.charAt(i);
      if (isUnreserved(c) || SUB_DELIMS.indexOf(c) >= 0 || c == ':' || c == '@' || c == '/'
          || (c == '?' && questionMarkAllowed)) {
        i++;
      } else if (c == '%' && i + 2 < n && isHex(s.charAt(i + 1)) && isHex(s.charAt(i + 2))) {
        i += 3;
      } else {
        return i;
      }
    }
    return i;
  }

  /** libevent's scheme_ok: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) before the first ':'. */
  private static boolean schemeOk(String s, int end) {
    if (!isAlpha(s.charAt(0))) {
      return false;
    }
    for (int i = 1; i < end; i++) {
      char c = s.charAt(i);
      if (!isAlpha(c) && !isDigit(c) && c != '+' && c != '-' && c != '.') {
        return false;
      }
    }
    return true;
  }

  /** libevent's parse_authority: [userinfo "@"] host [":" port], host a reg-name or [IP literal]. */
  private static boolean authorityOk(String s, int start, int end) {
    int at = s.indexOf('@', start);
    int host = start;
    if (at >= 0 && at < end) {
      if (!allOk(s, start, at, ":")) {
        return false;
      }
      host = at + 1;
    }
    int port = end - 1;
    while (port >= host && isDigit(s.charAt(port))) {
      port--;
    }
    int hostEnd = end;
    if (port >= host && s.charAt(port) == ':') {
      int number = 0;
      for (int i = port + 1; i < end; i++) {
        number = number * 10 + (s.charAt(i) - '0');
        if (number > 65535) {
          return false;
        }
      }
      hostEnd = port;
    }
    if (hostEnd - host >= 2 && s.charAt(host) == '[' && s.charAt(hostEnd - 1) == ']') {
      for (int i = host + 1; i < hostEnd - 1; i++) {
        char c = s.charAt(i);
        if (!isHex(c) && c != ':' && c != '.') {
          return false;
        }
      }
      return true;
    }
    return allOk(s, host, hostEnd, "");
  }

  /** unreserved / sub-delims / %XX / the extra characters, over [from, to). */
  private static boolean allOk(String s, int from, int to, String extra) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < to && isHex(s.charAt(i + 1)) && isHex(s.charAt(i + 2))) {
        i += 2;
      } else if (!isUnreserved(c) && SUB_DELIMS.indexOf(c) < 0 && extra.indexOf(c) < 0) {
        return false;
      }
    }
    return true;
  }

  /** libevent's path_matches_noscheme: without a scheme, no ':' before the path's first '/'. */
  private static boolean noSchemePathOk(String path) {
    int slash = path.indexOf('/');
    int colon = path.indexOf(':');
    return colon < 0 || (slash >= 0 && slash < colon);
  }

  private static boolean isUnreserved(char c) {
    return isAlpha(c) || isDigit(c) || c == '-' || c == '.' || c == '_' || c == '~';
  }

  private static boolean isAlpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  static boolean isHex(char c) {
    return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }
}
