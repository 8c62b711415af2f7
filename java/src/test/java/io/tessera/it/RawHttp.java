package io.tessera.it;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A raw HTTP/1.1 client connection for tests that need what java.net.http hides: pipelining,
 * partial requests, unread responses, the moment a server closes. Every read is bounded by the
 * socket timeout given at connect. Closes its socket in {@link #close()}.
 */
final class RawHttp implements AutoCloseable {
  /** One parsed response. */
  record Response(int status, String headers, String body) {}

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  private RawHttp(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  static RawHttp connect(int port, int timeoutMillis) throws IOException {
    return connect(port, timeoutMillis, 0);
  }

  /** @param receiveBuffer the socket's SO_RCVBUF (0 = system default), set before connecting */
  static RawHttp connect(int port, int timeoutMillis, int receiveBuffer) throws IOException {
    Socket s = new Socket();
    try {
      if (receiveBuffer > 0) {
        s.setReceiveBufferSize(receiveBuffer);
      }
      s.setSoTimeout(timeoutMillis);
      s.connect(new InetSocketAddress("127.0.0.1", port), timeoutMillis);
      return new RawHttp(s);
    } catch (IOException e) {
      s.close();
      throw e;
    }
  }

  static byte[] post(String path, String body) {
    return post(path, body.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] post(String path, byte[] body) {
    byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    byte[] all = new byte[head.length + body.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(body, 0, all, head.length, body.length);
    return all;
  }

  static byte[] get(String path) {
    return ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  RawHttp send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
    return this;
  }

  /** Reads one response (Content-Length bodies only, as Tessera sends). */
  Response read() throws IOException {
    return read(true);
  }

  /** Reads one response; without {@code keepBody} its body is read and dropped (body ""). */
  Response read(boolean keepBody) throws IOException {
    String head = readHead();
    int status = Integer.parseInt(head.substring(9, 12));
    int length = 0;
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    if (!keepBody) {
      for (long left = length; left > 0; ) {
        long n = in.skip(left);
        if (n <= 0 && in.read() < 0) {
          throw new EOFException("connection closed inside a response body");
        }
        left -= Math.max(n, 1);
      }
      return new Response(status, head, "");
    }
    return new Response(status, head, new String(in.readNBytes(length), StandardCharsets.UTF_8));
  }

  private String readHead() throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int c = in.read();
      if (c < 0) {
        throw new EOFException("connection closed before a response head; got: " + head);
      }
      head.write(c);
      matched = (c == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (c == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  /**
   * Reads and drops everything until the server closes; returns the bytes read, or -1 if the
   * socket timeout passes first. A reset counts as closed.
   */
  long readUntilClosed() throws IOException {
    long total = 0;
    byte[] buf = new byte[64 << 10];
    try {
      for (int n; (n = in.read(buf)) >= 0; ) {
        total += n;
      }
    } catch (SocketTimeoutException e) {
      return -1;
    } catch (SocketException reset) {
      // closed with unread data on the server side: still closed
    }
    return total;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
