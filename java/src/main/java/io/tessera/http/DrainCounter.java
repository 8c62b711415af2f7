package io.tessera.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;

/**
 * Counts a request as in flight from its first byte (the request head, before the body is
 * aggregated) until its response is written or the connection drops, so a graceful stop also waits
 * for requests whose bodies are still uploading. One instance per connection; event loop only.
 */
final class DrainCounter extends ChannelDuplexHandler {
  private final Drain drain;
  private int open;  // requests on this connection not yet answered (HTTP/1.1: 0 or 1)

  DrainCounter(Drain drain) {
    this.drain = drain;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest) {
      open++;
      drain.started();
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof HttpResponse && open > 0) {
      open--;
      drain.finished();
    }
    ctx.write(msg, promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    for (; open > 0; open--) {
      drain.finished();
    }
    ctx.fireChannelInactive();
  }
}
