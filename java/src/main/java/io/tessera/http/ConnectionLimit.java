package io.tessera.http;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code --rest_api_max_connections}: one shared instance counts the listener's open connections;
 * a connection beyond the cap is answered with a JSON 503 and closed. The handlers behind this one
 * never hear of a refused connection (no channelActive, no reads). Before closing, it lingers
 * briefly (output shut after the 503, what the client sends read and released here, at most
 * {@link #LINGER_SECONDS}) so that unread request bytes do not turn the 503 into a TCP reset.
 * Sits in front of the HTTP codec (after TLS, if any). Thread-safe (shared by all connections).
 */
@ChannelHandler.Sharable
final class ConnectionLimit extends ChannelInboundHandlerAdapter {
  static final long LINGER_SECONDS = 2;
  private static final AttributeKey<Boolean> REFUSED = AttributeKey.valueOf("tessera.rest.refused");

  private final int max;
  private final AtomicInteger open = new AtomicInteger();

  ConnectionLimit(int max) {
    this.max = max;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    if (open.incrementAndGet() <= max) {
      ctx.fireChannelActive();
      return;
    }
    ctx.channel().attr(REFUSED).set(Boolean.TRUE);
    RestHandler.CLIENT_ERRORS.log("REST connection from " + ctx.channel().remoteAddress()
        + " refused: " + max + " connections open (--rest_api_max_connections)");
    ctx.writeAndFlush(ErrorResponses.closingBytes(ctx.alloc(), HttpResponseStatus.SERVICE_UNAVAILABLE,
        "Too many connections: the server's limit is " + max + " (--rest_api_max_connections)"))
        .addListener((ChannelFutureListener) f -> {
          if (f.isSuccess() && f.channel() instanceof DuplexChannel d) {
            d.shutdownOutput();
          }
        });
    ctx.channel().config().setAutoRead(true);
    ctx.executor().schedule(() -> ctx.close(), LINGER_SECONDS, TimeUnit.SECONDS);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (refused(ctx)) {
      ReferenceCountUtil.release(msg);
    } else {
      ctx.fireChannelRead(msg);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (!refused(ctx)) {
      ctx.fireChannelReadComplete();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    open.decrementAndGet();
    if (!refused(ctx)) {
      ctx.fireChannelInactive();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (refused(ctx)) {
      ctx.close();
    } else {
      ctx.fireExceptionCaught(cause);
    }
  }

  private static boolean refused(ChannelHandlerContext ctx) {
    return ctx.channel().hasAttr(REFUSED);
  }
}
