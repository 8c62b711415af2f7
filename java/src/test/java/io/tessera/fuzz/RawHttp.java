package io.tessera.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A minimal HTTP/1.1 client over a plain socket, so the fuzzer controls every byte on the wire
 * (bad headers, chunking, pipelining). Reads responses framed by Content-Length, chunked encoding
 * or connection close. Contract: {@link #exchange} returns the responses read before the server
 * closed the connection, or throws {@link SocketTimeoutException} when the server neither answers
 * nor closes within the timeout (a hang).
 */
final class RawHttp {
  /** One parsed response; headers are lower-cased. */
  record Response(int status, Map<String, String> headers, byte[] body) {
    String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  /** Responses read, and whether the server closed the connection before all were read. */
  record Result(List<Response> responses, boolean closedEarly) {}

  private RawHttp() {}

  static Result exchange(int port, FuzzCase.Rest rest, int timeoutMs) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), timeoutMs);
      socket.setSoTimeout(timeoutMs);
      long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
      OutputStream out = socket.getOutputStream();
      try {
        out.write(rest.wire());
        out.flush();
        if (rest.halfClose()) {
          socket.shutdownOutput();
        }
      } catch (IOException resetWhileWriting) {
        // The server may close early on bad input; read what it answered.
      }
      InputStream in = new java.io.BufferedInputStream(socket.getInputStream());
      List<Response> responses = new ArrayList<>();
      int expected = Math.max(1, rest.paths().size());
      try {
        while (responses.size() < expected) {
          if (System.nanoTime() > deadline) {
            throw new SocketTimeoutException("no answer within " + timeoutMs + " ms");
          }
          boolean head = responses.size() < rest.heads().size() && rest.heads().get(responses.size());
          Response r = read(in, head);
          if (r == null) {
            return new Result(responses, true);
          }
          if (r.status() == 100) {
            continue;  // 100 Continue precedes the real answer
          }
          responses.add(r);
          if ("close".equalsIgnoreCase(r.headers().getOrDefault("connection", ""))) {
            return new Result(responses, responses.size() < expected);
          }
        }
      } catch (SocketTimeoutException hang) {
        throw hang;
      } catch (IOException reset) {
        return new Result(responses, true);
      }
      return new Result(responses, false);
    }
  }

  /** Reads one response; null when the connection ends before a status line. */
  private static Response read(InputStream in, boolean head) throws IOException {
    String status = line(in);
    if (status == null) {
      return null;
    }
    String[] parts = status.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
      throw new IOException("bad status line: " + status);
    }
    int code = Integer.parseInt(parts[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
      int colon = h.indexOf(':');
      if (colon > 0) {
        headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
      }
    }
    if (head || code == 100 || code == 204 || code == 304) {
      return new Response(code, headers, new byte[0]);
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      for (;;) {
        String size = line(in);
        if (size == null) {
          throw new EOFException("chunked body ended early");
        }
        int n = Integer.parseInt(size.split(";")[0].trim(), 16);
        if (n == 0) {
          for (String t = line(in); t != null && !t.isEmpty(); t = line(in)) {
            // trailers, up to the empty line that ends the body
          }
          break;
        }
        body.write(in.readNBytes(n));
        line(in);
      }
    } else if (headers.containsKey("content-length")) {
      int n = Integer.parseInt(headers.get("content-length"));
      byte[] b = in.readNBytes(n);
      if (b.length < n) {
        throw new EOFException("body ended early");
      }
      body.write(b);
    } else {
      body.write(in.readAllBytes());
    }
    return new Response(code, headers, body.toByteArray());
  }

  /** One CRLF- or LF-terminated line, without the terminator; null at end of stream. */
  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        break;
      }
      if (c != '\r') {
        b.write(c);
      }
    }
    if (c == -1 && b.size() == 0) {
      return null;
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }
}
