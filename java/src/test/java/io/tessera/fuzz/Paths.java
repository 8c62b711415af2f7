package io.tessera.fuzz;

import java.util.List;
import java.util.SplittableRandom;

/**
 * REST targets: status/metadata/labels GETs for the fuzz server's models (and missing ones),
 * non-API pages, random paths, percent-encoding (valid, invalid, encoded slashes and dots), odd
 * versions (huge, negative, non-numeric) and query strings.
 */
final class Paths {
  private Paths() {}

  static String model(SplittableRandom r) {
    String[] models = {FuzzCases.HALF_PLUS_TWO, FuzzCases.MOBILENET, FuzzCases.IMAGE, "missing", "",
        "half_plus_two%20", "%68alf_plus_two", "a".repeat(300)};
    return models[r.nextInt(models.length)];
  }

  static String version(SplittableRandom r) {
    String[] v = {"123", "1", "0", "-1", "99999999999999999999", "9223372036854775807", "-9223372036854775808",
        "1.5", "abc", "", "%31", "0x7b", "00000123"};
    return v[r.nextInt(v.length)];
  }

  /** A status, metadata or labels GET (the API's read-only paths). */
  static RestCases.Template get(SplittableRandom r, List<String> log) {
    String m = r.nextInt(3) == 0 ? model(r) : (r.nextBoolean() ? FuzzCases.HALF_PLUS_TWO : FuzzCases.IMAGE);
    String path = "/v1/models/" + m;
    int k = r.nextInt(6);
    if (k == 1) {
      path += "/versions/" + version(r);
    } else if (k == 2) {
      path += "/labels/" + (r.nextBoolean() ? "stable" : Mutators.randomString(r, 4).replaceAll("[^a-z]", "x"));
    }
    if (r.nextInt(3) == 0) {
      path += "/metadata";
    }
    if (r.nextInt(10) == 0) {
      path += "?" + (r.nextBoolean() ? "a=b&&=c" : "%zz=%");
    }
    log.add("GET " + path);
    return new RestCases.Template("GET", path, null);
  }

  /** A non-API page, an odd API path, or random path bytes. */
  static RestCases.Template randomPath(SplittableRandom r, List<String> log) {
    String[] paths = {"/", "/index.html", "/healthz", "/readyz", "/metrics", "/tessera/devices", "/favicon.ico",
        "/v1", "/v1/", "/v1/models", "/v1/models/", "/v1//models//" + FuzzCases.HALF_PLUS_TWO,
        "/V1/MODELS/" + FuzzCases.HALF_PLUS_TWO, "/v1/models/" + FuzzCases.HALF_PLUS_TWO + ":predictx",
        "/v1/models/" + FuzzCases.HALF_PLUS_TWO + ":", "/v1/models/:predict", "/v1/models/%2e%2e/%2e%2e/etc/passwd",
        "/v1/models/" + FuzzCases.HALF_PLUS_TWO + "%2fversions%2f123", "/v1/models/a%00b", "/v1/models/%",
        "/v1/models/%c3%28", "/v1/models/\u00e9", "/v1/models/" + FuzzCases.HALF_PLUS_TWO + "/versions/123/metadata/x",
        "/v1/models/" + FuzzCases.HALF_PLUS_TWO + "/versions//metadata", "*", "http://127.0.0.1/v1/models/" + FuzzCases.HALF_PLUS_TWO,
        "/v1/models/" + "x/".repeat(2000), "/" + "a".repeat(9000), "/v2/models/x", "/v1/models/x;y=z"};
    if (r.nextInt(5) == 0) {
      String p = "/v1/models/" + Mutators.randomString(r, 1 + r.nextInt(30));
      log.add("random path");
      return new RestCases.Template(r.nextBoolean() ? "GET" : "POST", p.replace(" ", "%20"), r.nextBoolean() ? "{}" : null);
    }
    String p = paths[r.nextInt(paths.length)];
    log.add("path " + Mutators.abbreviate(p));
    return new RestCases.Template(r.nextInt(4) == 0 ? "POST" : "GET", p, r.nextInt(4) == 0 ? "{\"instances\": [1]}" : null);
  }

  /** Percent-encodes some characters, doubles slashes, or appends junk. */
  static String mutatePath(String path, SplittableRandom r, List<String> log) {
    switch (r.nextInt(5)) {
      case 0 -> {
        log.add("percent-encoded");
        StringBuilder s = new StringBuilder();
        for (char c : path.toCharArray()) {
          s.append(c != '/' && r.nextInt(3) == 0 ? String.format("%%%02X", (int) c) : String.valueOf(c));
        }
        return s.toString();
      }
      case 1 -> {
        log.add("double-slash");
        return path.replace("/", "//");
      }
      case 2 -> {
        log.add("bad-percent");
        return path + "%" + (r.nextBoolean() ? "" : "g1");
      }
      case 3 -> {
        log.add("dot-segments");
        return path.replace("/models/", "/models/./../models/");
      }
      default -> {
        log.add("query");
        return path + "?" + "x=".repeat(1 + r.nextInt(200));
      }
    }
  }
}
