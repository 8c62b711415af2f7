package io.tessera.http;

import io.netty.buffer.ByteBufHolder;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;

/**
 * Aggregates request bodies up to {@code --rest_api_max_body_bytes}; a larger body gets a clear
 * 413 in TF Serving's error format, with {@code Connection: close}.
 *
 * <p>After the 413 the connection lingers: the rest of the oversized body is read and dropped
 * (never buffered) and the channel is closed at its end, or after {@link #DRAIN_BYTES} more bytes
 * or {@link #DRAIN_SECONDS}, whichever comes first. Closing at once would leave unread bytes in the
 * kernel's receive buffer, which makes TCP answer with a reset that can destroy the 413 before the
 * client has read it.
 */
final class JsonBodyLimit extends HttpObjectAggregator {
  static final long DRAIN_BYTES = 64L << 20;
  static final long DRAIN_SECONDS = 10;

  private final int maxBytes;
  private boolean draining;
  private long drainedBytes;
  private ChannelFuture responseWritten;

  JsonBodyLimit(int maxBytes) {
    super(maxBytes);
    this.maxBytes = maxBytes;
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, Unpooled.wrappedBuffer(RestApi.errorBody(
            "Request body is larger than the server's limit of " + maxBytes
                + " bytes (--rest_api_max_body_bytes)")));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    HttpUtil.setContentLength(response, response.content().readableBytes());
    responseWritten = ctx.writeAndFlush(response);
    draining = true;
    ctx.executor().schedule(() -> ctx.close(), DRAIN_SECONDS, TimeUnit.SECONDS);
  }

  /** While draining, every inbound message is dropped here; this handler owns and releases it. */
  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    boolean last = msg instanceof LastHttpContent;
    if (!draining) {
      super.channelRead(ctx, msg);
      if (draining && last) {
        closeAfterResponse(); // the limit was crossed by the body's final chunk: nothing left to drain
      }
      return;
    }
    if (msg instanceof ByteBufHolder holder) {
      drainedBytes += holder.content().readableBytes();
    }
    ReferenceCountUtil.release(msg);
    if (last || drainedBytes > DRAIN_BYTES) {
      closeAfterResponse();
    }
  }

  private void closeAfterResponse() {
    responseWritten.addListener(ChannelFutureListener.CLOSE);
  }
}
