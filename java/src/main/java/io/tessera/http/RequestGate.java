package io.tessera.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * One request in flight per connection, answered in order, with backpressure (the channel's
 * autoRead is off). Sits right behind the HTTP codec: decoded messages pass through until a
 * request's last part has passed; from then until {@link #responseDone()} the gate is shut — the
 * socket is not read ({@code read()} requests are held back) and messages the codec already
 * decoded from the last read wait here, in order. {@code responseDone()} (called once the answer's
 * write has completed, so a client that does not read its answer stops all further reading)
 * reopens the gate, replays the waiting messages and asks for more bytes when they do not make a
 * whole request.
 *
 * <p>Bounded: with autoRead off the channel reads once per {@code read()}, so what waits here is at
 * most what the codec decoded from one socket read (≤ 64 KiB with the default allocator). Netty's
 * FlowControlHandler would release one message per read() but would swallow the readComplete
 * events that HttpObjectAggregator-style handlers need to ask for the rest of a body.
 *
 * <p>Ownership: waiting messages belong to the gate until delivered, and are released if the
 * connection closes. Event loop only.
 */
final class RequestGate extends ChannelDuplexHandler {
  private final RestTimeouts timeouts;
  private final ArrayDeque<Object> waiting = new ArrayDeque<>();
  private ChannelHandlerContext ctx;
  private boolean shut;
  private boolean replaying;

  RequestGate(RestTimeouts timeouts) {
    this.timeouts = timeouts;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    ctx.fireChannelActive();
    ctx.read();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (shut || !waiting.isEmpty()) {
      waiting.add(msg);
    } else {
      deliver(msg);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (!shut) {
      ctx.fireChannelReadComplete();
    }
  }

  @Override
  public void read(ChannelHandlerContext ctx) {
    if (!shut) {
      resume();
    }  // else responseDone() resumes reading
  }

  /** The current request's answer has been written and the connection stays open. */
  void responseDone() {
    shut = false;
    timeouts.idle();
    resume();
  }

  private void deliver(Object msg) {
    if (msg instanceof HttpRequest) {
      timeouts.reading();
    }
    if (msg instanceof LastHttpContent) {
      shut = true;
      timeouts.serving();
    }
    ctx.fireChannelRead(msg);
  }

  /**
   * Delivers waiting messages until a request is complete or none is left, then reads the socket
   * if the gate is still open. Re-entrant calls (a request answered synchronously inside the loop)
   * return at once; the outer call carries on.
   */
  private void resume() {
    if (replaying) {
      return;
    }
    replaying = true;
    boolean delivered = false;
    try {
      Object msg;
      while (!shut && (msg = waiting.poll()) != null) {
        delivered = true;
        deliver(msg);
      }
    } finally {
      replaying = false;
    }
    if (delivered) {
      // Lets handlers that aggregate ask for the rest of a partly delivered request.
      ctx.fireChannelReadComplete();
    }
    if (!shut && waiting.isEmpty()) {
      ctx.read();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    releaseWaiting();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    releaseWaiting();
  }

  private void releaseWaiting() {
    Object msg;
    while ((msg = waiting.poll()) != null) {
      ReferenceCountUtil.release(msg);
    }
  }
}
