package io.tessera.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * TF Serving-format error answers ({@code { "error": "..." }}) that end a connection: as an HTTP
 * message for handlers behind the codec, or as raw bytes for handlers in front of it (the
 * connection cap, the request-read timeout), which write while no other response is in progress.
 * Each returned buffer is owned by the caller until written (then by Netty).
 */
final class ErrorResponses {
  private ErrorResponses() {}

  /** A JSON error with {@code Connection: close} and its Content-Length set. */
  static FullHttpResponse closing(HttpResponseStatus status, String message) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
        Unpooled.wrappedBuffer(RestApi.errorBody(message)));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    HttpUtil.setContentLength(response, response.content().readableBytes());
    return response;
  }

  /** The same answer already encoded as HTTP/1.1 bytes. */
  static ByteBuf closingBytes(ByteBufAllocator alloc, HttpResponseStatus status, String message) {
    byte[] body = RestApi.errorBody(message);
    String head = "HTTP/1.1 " + status + "\r\nContent-Type: application/json\r\nContent-Length: "
        + body.length + "\r\nConnection: close\r\n\r\n";
    byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
    return alloc.buffer(headBytes.length + body.length).writeBytes(headBytes).writeBytes(body);
  }
}
