package io.tessera.http;

import io.tessera.status.ServingException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Tessera's raw image uploads on TF Serving's {@code :predict} and {@code :classify} paths: the
 * body is the file itself ({@code Content-Type: image/jpeg}, {@code image/png}, any {@code image/*},
 * or {@code application/octet-stream} whose bytes start like a JPEG or PNG), or a
 * {@code multipart/form-data} form with one file per part (a batch, in part order). Every other
 * body is TF Serving's JSON, untouched. The images are slices of the request's direct buffer (no
 * copy), valid while the request is. Pure.
 */
final class ImageUpload {
  static final String MULTIPART = "multipart/form-data";
  private static final byte[] CRLF_CRLF = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private ImageUpload() {}

  /**
   * The uploaded images, or null when the request is not an upload (JSON).
   *
   * @throws ServingException INVALID_ARGUMENT for a malformed form or an empty upload
   */
  static List<ByteBuffer> images(String contentType, ByteBuffer body) {
    String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT).strip();
    if (type.startsWith("image/")) {
      return List.of(body.slice());
    }
    if (type.startsWith("application/octet-stream")) {
      return looksLikeImage(body, body.position()) ? List.of(body.slice()) : null;
    }
    if (type.startsWith(MULTIPART)) {
      return parts(body, boundary(contentType));
    }
    return null;
  }

  /**
   * The path a POST's route is matched on: TF Serving's uri_path, query included (a query on a
   * JSON request fails its route regex, as in TF Serving), except that an image upload's query
   * ({@code ?top_k=N}) is Tessera's own and is left out.
   */
  static String routedPath(String method, String contentType, ByteBuffer body, String uriPath) {
    int query = uriPath.indexOf('?');
    if (query < 0 || !method.equals("POST") || !isUpload(contentType, body)) {
      return uriPath;
    }
    int fragment = uriPath.indexOf('#');
    return uriPath.substring(0, fragment >= 0 && fragment < query ? fragment : query);
  }

  /** True when {@link #images} would read the body as an upload (from the type and first bytes). */
  static boolean isUpload(String contentType, ByteBuffer body) {
    String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT).strip();
    return type.startsWith("image/") || type.startsWith(MULTIPART)
        || (type.startsWith("application/octet-stream") && looksLikeImage(body, body.position()));
  }

  /** {@code ?top_k=N}: N > 0, or 0 when absent (the model's default_top_k). */
  static int topK(Map<String, List<String>> query) {
    List<String> values = query.get("top_k");
    if (values == null || values.isEmpty()) {
      return 0;
    }
    try {
      int k = Integer.parseInt(values.get(values.size() - 1).strip());
      if (k > 0) {
        return k;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw ServingException.invalidArgument("top_k must be a positive integer, got \""
        + values.get(values.size() - 1) + "\"");
  }

  private static boolean looksLikeImage(ByteBuffer b, int at) {
    int n = b.limit() - at;
    boolean jpeg = n >= 3 && (b.get(at) & 0xFF) == 0xFF && (b.get(at + 1) & 0xFF) == 0xD8;
    boolean png = n >= 4 && (b.get(at) & 0xFF) == 0x89 && b.get(at + 1) == 'P' && b.get(at + 2) == 'N'
        && b.get(at + 3) == 'G';
    return jpeg || png;
  }

  private static String boundary(String contentType) {
    for (String param : contentType.split(";")) {
      String p = param.strip();
      if (p.toLowerCase(Locale.ROOT).startsWith("boundary=")) {
        String value = p.substring("boundary=".length());
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
          value = value.substring(1, value.length() - 1);
        }
        if (!value.isEmpty() && value.length() <= 70) {
          return value;
        }
      }
    }
    throw ServingException.invalidArgument("multipart/form-data without a valid boundary parameter");
  }

  /** Every part of the form that carries a file (a filename, an image/* type or image bytes). */
  private static List<ByteBuffer> parts(ByteBuffer body, String boundary) {
    byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.US_ASCII);
    byte[] separator = ("\r\n--" + boundary).getBytes(StandardCharsets.US_ASCII);
    int end = body.limit();
    int at = indexOf(body, delimiter, body.position(), end);
    if (at < 0) {
      throw ServingException.invalidArgument("multipart/form-data body without its boundary");
    }
    List<ByteBuffer> images = new ArrayList<>();
    at += delimiter.length;
    while (at + 2 <= end && !(body.get(at) == '-' && body.get(at + 1) == '-')) {
      int headersEnd = indexOf(body, CRLF_CRLF, at, end);
      if (headersEnd < 0) {
        throw ServingException.invalidArgument("multipart/form-data part " + images.size() + " has no end of headers");
      }
      String headers = ascii(body, at, headersEnd).toLowerCase(Locale.ROOT);
      int contentStart = headersEnd + CRLF_CRLF.length;
      int contentEnd = indexOf(body, separator, contentStart, end);
      if (contentEnd < 0) {
        throw ServingException.invalidArgument("multipart/form-data part is not closed by its boundary (truncated body?)");
      }
      boolean file = headers.contains("filename=") || headers.contains("content-type: image/")
          || looksLikeImage(body, contentStart);
      if (file) {
        images.add(body.slice(contentStart, contentEnd - contentStart));
      }
      at = contentEnd + separator.length;
    }
    if (images.isEmpty()) {
      throw ServingException.invalidArgument("multipart/form-data body holds no file");
    }
    return images;
  }

  private static String ascii(ByteBuffer b, int from, int to) {
    byte[] bytes = new byte[Math.min(to - from, 4096)];
    b.get(from, bytes);
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }

  /** First index of {@code needle} in [from, to), or -1. */
  private static int indexOf(ByteBuffer b, byte[] needle, int from, int to) {
    byte first = needle[0];
    for (int i = from, last = to - needle.length; i <= last; i++) {
      if (b.get(i) != first) {
        continue;
      }
      int j = 1;
      while (j < needle.length && b.get(i + j) == needle[j]) {
        j++;
      }
      if (j == needle.length) {
        return i;
      }
    }
    return -1;
  }
}
