package io.tessera.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.zip.GZIPOutputStream;

/**
 * HTTP/1.1 framing for a request: request line, headers (good and hostile), body as
 * Content-Length, chunked, or gzip-encoded (valid, corrupt, or a decompression bomb). Contract:
 * {@link Framed#broken} is true exactly when the framing is invalid HTTP or promises bytes it does
 * not send, so the server may reject-and-close instead of answering each request.
 */
final class HttpFraming {
  private static final Set<String> STANDARD = Set.of("GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH");
  private static byte[] zeroBomb;
  private static byte[] jsonBomb;

  record Framed(byte[] wire, boolean broken) {}

  private HttpFraming() {}

  static boolean standardMethod(String m) {
    return STANDARD.contains(m);
  }

  /**
   * Whether a request target is printable ASCII without spaces (RFC 9112's request-target
   * alphabet, loosely: bad percent-escapes such as "%zz" still count, and must be answered).
   */
  static boolean validTarget(String path) {
    return path.chars().allMatch(c -> c > 0x20 && c < 0x7f);
  }

  static FuzzCase.Rest garbage(byte[] wire) {
    return new FuzzCase.Rest(wire, List.of("?"), List.of(false), false, true);
  }

  /** n templates, each framed plainly (Content-Length), sent back to back on one connection. */
  static FuzzCase.Rest pipeline(SplittableRandom r, int n, Supplier<RestCases.Template> templates, List<String> log) {
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    List<String> paths = new ArrayList<>();
    List<Boolean> heads = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      RestCases.Template t = templates.get();
      byte[] body = t.body() == null ? null : Mutators.utf8(t.body());
      if (wire.size() + (body == null ? 0 : body.length) > 900_000) {
        break;
      }
      wire.writeBytes(plain(t.method(), t.path(), body, List.of()));
      paths.add(t.path());
      heads.add(false);
    }
    if (paths.isEmpty()) {
      log.add("(first too big: status GET instead)");
      wire.writeBytes(plain("GET", "/v1/models/" + FuzzCases.HALF_PLUS_TWO, null, List.of()));
      paths.add("/v1/models/" + FuzzCases.HALF_PLUS_TWO);
      heads.add(false);
    }
    boolean valid = paths.stream().allMatch(HttpFraming::validTarget);
    return new FuzzCase.Rest(wire.toByteArray(), paths, heads, valid, false);
  }

  static byte[] plain(String method, String path, byte[] body, List<String> extra) {
    StringBuilder h = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    if (body != null) {
      h.append("Content-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
    }
    extra.forEach(x -> h.append(x).append("\r\n"));
    h.append("\r\n");
    return body == null ? Mutators.utf8(h.toString()) : Mutators.concat(Mutators.utf8(h.toString()), body);
  }

  static Framed frame(SplittableRandom r, String method, String path, byte[] body, List<String> log) {
    int k = r.nextInt(100);
    List<String> extra = new ArrayList<>();
    if (k < 55) {
      if (r.nextInt(5) == 0) {
        extra.add(r.nextBoolean() ? "Connection: close" : "Connection: keep-alive");
      }
      return new Framed(plain(method, path, body, extra), false);
    }
    if (k < 65 && body != null) {
      log.add("chunked");
      return chunked(r, method, path, body, log);
    }
    if (k < 75 && body != null) {
      return gzip(r, method, path, body, log);
    }
    if (k < 85) {
      return badHeaders(r, method, path, body, log);
    }
    return badRequestLine(r, method, path, body, log);
  }

  private static Framed chunked(SplittableRandom r, String method, String path, byte[] body, List<String> log) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(Mutators.utf8(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"));
    boolean broken = false;
    int at = 0;
    while (at < body.length) {
      int n = Math.min(body.length - at, 1 + r.nextInt(r.nextBoolean() ? 16 : 65536));
      String size = Integer.toHexString(n);
      int odd = r.nextInt(40);
      if (odd == 0) {
        log.add("chunk-ext");
        size += ";name=value";
      } else if (odd == 1) {
        log.add("chunk-size-lies");
        size = Integer.toHexString(n + 1 + r.nextInt(100));
        broken = true;
      } else if (odd == 2) {
        log.add("chunk-size-garbage");
        size = r.nextBoolean() ? "zz" : "-1";
        broken = true;
      } else if (odd == 3) {
        log.add("chunk-size-huge");
        size = "ffffffffffffffff";
        broken = true;
      }
      out.writeBytes(Mutators.utf8(size + "\r\n"));
      out.write(body, at, n);
      out.writeBytes(Mutators.utf8("\r\n"));
      at += n;
    }
    if (r.nextInt(15) == 0) {
      log.add("no-last-chunk");
      broken = true;
    } else {
      out.writeBytes(Mutators.utf8(r.nextInt(10) == 0 ? "0\r\nX-Trailer: 1\r\n\r\n" : "0\r\n\r\n"));
    }
    return new Framed(out.toByteArray(), broken);
  }

  private static Framed gzip(SplittableRandom r, String method, String path, byte[] body, List<String> log) {
    byte[] gz;
    int k = r.nextInt(10);
    if (k < 5) {
      log.add("gzip");
      gz = gzipOf(body);
    } else if (k < 7) {
      log.add("gzip-corrupt");
      gz = Mutators.mutateBytes(gzipOf(body), r, log);
    } else if (k == 7) {
      log.add("gzip-bomb 64MiB zeros");
      gz = zeroBomb();
    } else if (k == 8) {
      log.add("gzip-bomb 64MiB JSON array");
      gz = jsonBomb();
    } else {
      log.add("gzip-header-plain-body");
      gz = body;
    }
    String enc = r.nextInt(8) == 0 ? (r.nextBoolean() ? "deflate" : "br") : "gzip";
    List<String> extra = List.of("Content-Encoding: " + enc);
    return new Framed(plain(method, path, gz, extra), false);
  }

  static byte[] gzipOf(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static synchronized byte[] zeroBomb() {
    if (zeroBomb == null) {
      zeroBomb = gzipOf(new byte[64 << 20]);
    }
    return zeroBomb;
  }

  private static synchronized byte[] jsonBomb() {
    if (jsonBomb == null) {
      byte[] json = new byte[64 << 20];
      java.util.Arrays.fill(json, (byte) ',');
      for (int i = 0; i < json.length; i += 2) {
        json[i] = '0';
      }
      byte[] head = Mutators.utf8("{\"instances\": [");
      System.arraycopy(head, 0, json, 0, head.length);
      json[json.length - 3] = '0';
      json[json.length - 2] = ']';
      json[json.length - 1] = '}';
      jsonBomb = gzipOf(json);
    }
    return jsonBomb;
  }

  private static Framed badHeaders(SplittableRandom r, String method, String path, byte[] body, List<String> log) {
    byte[] b = body == null ? new byte[0] : body;
    int n = b.length;
    String[][] variants = {
        {"Content-Length: -1", "broken"}, {"Content-Length: " + n + ", " + (n + 1), "broken"},
        {"Content-Length: 99999999999999999999", "broken"}, {"Content-Length:  " + n + " ", "ok"},
        {"Content-Length: " + (n + 10), "broken"}, {"Content-Length: " + Math.max(0, n - 3), "broken"},
        {"Content-Length: " + n + "\r\nContent-Length: " + (n + 5), "broken"},
        {"Content-Length: " + n + "\r\nTransfer-Encoding: chunked", "broken"},
        {"Content-Length: " + n + "\r\nTransfer-Encoding: foo", "broken"},
        {"Content-Length: " + n + "\r\nNoColonHeader", "broken"},
        {"Content-Length: " + n + "\r\nBad Name: x", "broken"},
        {"Content-Length: " + n + "\r\nX-Fold: a\r\n  continued", "broken"},
        {"Content-Length: " + n + "\r\nX-Big: " + "a".repeat(16 * 1024), "broken"},
        {"Content-Length: " + n + "\r\nX-Huge: " + "a".repeat(200 * 1024), "broken"},
        {"Content-Length: " + n + "\r\n" + "X-Many: 1\r\n".repeat(2000) + "X-End: 1", "broken"},
        {"Content-Length: " + n + "\r\nX-Nul: a\u0000b", "broken"},
        {"Content-Length: " + n + "\r\nExpect: 100-continue", "ok"},
        {"Content-Length: " + n + "\r\nExpect: something", "broken"},
        {"Content-Length: " + n + "\r\nContent-Type: text/plain; charset=utf-16", "ok"},
        {"Content-Length: " + n + "\r\nContent-Type: " + "x".repeat(100), "ok"},
        {"Content-Length: " + n + "\r\nConnection: upgrade\r\nUpgrade: h2c", "ok"},
        {"Content-Length: " + n + "\r\nOrigin: http://evil.example", "ok"},
        {"Content-Length: " + n + "\r\nContent-Encoding: gzip, gzip", "broken"},
    };
    String[] v = variants[r.nextInt(variants.length)];
    log.add("header " + Mutators.abbreviate(v[0].replace("\r\n", " | ")));
    String head = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + v[0] + "\r\n\r\n";
    return new Framed(Mutators.concat(Mutators.utf8(head), b), v[1].equals("broken"));
  }

  private static Framed badRequestLine(SplittableRandom r, String method, String path, byte[] body, List<String> log) {
    byte[] b = body == null ? new byte[0] : body;
    String cl = "Content-Length: " + b.length + "\r\n";
    String[][] variants = {
        {method + " " + path + " HTTP/1.0\r\n" + cl + "\r\n", "ok"},
        {method + " " + path + " HTTP/1.0\r\nConnection: keep-alive\r\n" + cl + "\r\n", "ok"},
        {method + " " + path + " HTTP/2.0\r\n" + cl + "\r\n", "broken"},
        {method + " " + path + " HTTP/1.1 extra\r\n" + cl + "\r\n", "broken"},
        {method + " " + path + "\r\n\r\n", "broken"},
        {method + "  " + path + "  HTTP/1.1\r\n" + cl + "\r\n", "broken"},
        {method + " " + path + " HTTP/9.9\r\n" + cl + "\r\n", "broken"},
        {method + " " + path + " http/1.1\r\n" + cl + "\r\n", "broken"},
        {"\r\n\r\n" + method + " " + path + " HTTP/1.1\r\n" + cl + "\r\n", "ok"},
        {method + " " + path + " HTTP/1.1\n" + cl.replace("\r\n", "\n") + "\n", "ok"},
        {method + " " + path + " HTTP/1.1\r\n" + cl, "broken"},
        {method + " " + path + " HTTP/1.1\r\nHost: a\r\n" + cl + "\r\n", "ok"},
        {"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "broken"},
    };
    String[] v = variants[r.nextInt(variants.length)];
    log.add("request-line " + Mutators.abbreviate(v[0].replace("\r\n", " | ").replace(path, "P")));
    return new Framed(Mutators.concat(Mutators.utf8(v[0]), b), v[1].equals("broken"));
  }
}
