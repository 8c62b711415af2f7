package io.tessera.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.tessera.admission.Limits;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A connection's three timers ({@link Limits}; a zero duration turns one off), by phase:
 * <ul>
 *   <li>IDLE (no request in progress): {@code --rest_api_idle_timeout_seconds} without a byte
 *       closes the connection silently;
 *   <li>READING (from a request's first byte until it is complete): past
 *       {@code --rest_api_request_read_timeout_seconds} the client gets a JSON 408 and the
 *       connection closes;
 *   <li>SERVING (the request is being answered): no timer while it runs; once its response is
 *       written, the client must drain it within {@code --rest_api_write_timeout_seconds} or the
 *       connection closes.
 * </ul>
 * Sits in front of the HTTP codec, so it sees raw bytes (a request's first byte starts READING
 * even if its headers never complete); {@link RequestGate} and {@link RestHandler} report the
 * other transitions. One instance per connection; event loop only.
 */
final class RestTimeouts extends ChannelDuplexHandler {
  private enum Phase { IDLE, READING, SERVING }

  private final long idleNanos;
  private final long readNanos;
  private final long writeNanos;
  private ChannelHandlerContext ctx;
  private Phase phase = Phase.IDLE;
  private ScheduledFuture<?> timer;

  RestTimeouts(Limits limits) {
    this.idleNanos = nanos(limits.restIdleTimeout());
    this.readNanos = nanos(limits.restRequestReadTimeout());
    this.writeNanos = nanos(limits.restWriteTimeout());
  }

  private static long nanos(Duration d) {
    return d == null ? 0 : d.toNanos();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    idle();
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf b && b.isReadable()) {
      reading();
    }
    ctx.fireChannelRead(msg);
  }

  /** No request in progress: the idle timer runs. */
  void idle() {
    phase = Phase.IDLE;
    arm(idleNanos, () -> ctx.close());
  }

  /** A request has begun to arrive (no-op unless IDLE: the clock runs from its first byte). */
  void reading() {
    if (phase != Phase.IDLE) {
      return;
    }
    phase = Phase.READING;
    arm(readNanos, () -> {
      RestHandler.CLIENT_ERRORS.log("REST request from " + ctx.channel().remoteAddress()
          + " not received within the read timeout; closing (--rest_api_request_read_timeout_seconds)");
      ctx.writeAndFlush(ErrorResponses.closingBytes(ctx.alloc(), HttpResponseStatus.REQUEST_TIMEOUT,
          "Request not received within " + TimeUnit.NANOSECONDS.toSeconds(readNanos)
              + " s (--rest_api_request_read_timeout_seconds)"))
          .addListener(ChannelFutureListener.CLOSE);
    });
  }

  /** The request is complete and being answered: no timer. */
  void serving() {
    phase = Phase.SERVING;
    arm(0, null);
  }

  /** The response is being written: the client must drain it in time. */
  void writing(ChannelFuture written) {
    if (writeNanos == 0 || written.isDone()) {
      return;
    }
    arm(writeNanos, () -> {
      RestHandler.CLIENT_ERRORS.log("REST client " + ctx.channel().remoteAddress()
          + " did not read its response within the write timeout; closing (--rest_api_write_timeout_seconds)");
      ctx.close();
    });
    ScheduledFuture<?> mine = timer;
    written.addListener(f -> {
      if (timer == mine) {
        arm(0, null);
      }
    });
  }

  private void arm(long nanos, Runnable action) {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
    if (nanos > 0 && ctx.channel().isActive()) {
      timer = ctx.executor().schedule(action, nanos, TimeUnit.NANOSECONDS);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    arm(0, null);
    ctx.fireChannelInactive();
  }
}
