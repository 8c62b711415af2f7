package io.tessera.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.compression.DecompressionException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.tessera.admission.MemoryBudget;
import io.tessera.status.ServingException;
import io.tessera.transport.HostBackedBody;
import java.util.concurrent.TimeUnit;

/**
 * Aggregates a request body into one direct buffer (parsed in place later: no heap copy), up to
 * {@code --rest_api_max_body_bytes}, and charges it to {@link MemoryBudget#process()} as it grows.
 * A body over the size limit gets a 413, one that does not fit the budget a 429 (TF Serving's
 * RESOURCE_EXHAUSTED), both in TF Serving's error format with {@code Connection: close}. A binary
 * Open Inference Protocol body of known length is reserved and received at its full length into a
 * {@link HostBackedBody} (its raw inputs are then fed without a copy), any other body grows by
 * doubling.
 *
 * <p>After a 413/429 the connection lingers: the rest of the body is read and dropped (never
 * buffered) and the channel is closed at its end, or after {@link #DRAIN_BYTES} more bytes or
 * {@link #DRAIN_SECONDS}, whichever comes first. Closing at once would leave unread bytes in the
 * kernel's receive buffer, which makes TCP answer with a reset that can destroy the answer before
 * the client has read it.
 *
 * <p>Ownership: inbound contents are released here once copied; the partial body and its
 * reservation belong to this handler until the request is complete, then to the
 * {@link FullHttpRequest} passed on, whose final {@code release()} frees the buffer and closes the
 * reservation (the next handler must release it exactly once, on every path). A connection closed
 * mid-body frees both here. The channel's autoRead is off: this handler asks for more bytes while a
 * body is incomplete or being drained. One instance per connection; event loop only.
 */
final class JsonBodyLimit extends ChannelInboundHandlerAdapter {
  static final long DRAIN_BYTES = 64L << 20;
  static final long DRAIN_SECONDS = 10;
  /** First capacity of a body of unknown or larger length; it doubles as bytes arrive. */
  static final int INITIAL_BYTES = 64 << 10;
  static final String BINARY_HEADER_LENGTH = "Inference-Header-Content-Length";

  private final int maxBytes;
  private final RestTimeouts timeouts;
  private HttpRequest head;
  private ByteBuf body;
  private int bodyLimit;  // the declared Content-Length, else maxBytes
  private MemoryBudget.Reservation reservation;
  private boolean draining;
  private long drainedBytes;
  private ChannelFuture responseWritten;

  /** @param timeouts told when a refusal is answered: the drain's own bounds apply from then on */
  JsonBodyLimit(int maxBytes, RestTimeouts timeouts) {
    this.maxBytes = maxBytes;
    this.timeouts = timeouts;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (draining) {
      drain(msg);
      return;
    }
    if (msg instanceof HttpRequest request) {
      if (msg instanceof FullHttpRequest) {
        ctx.fireChannelRead(msg);  // the codec's own (malformed, empty) full message
        return;
      }
      if (!request.decoderResult().isSuccess()) {
        // Malformed, split by the decompressor: answered downstream as one failed full request;
        // its content parts are dropped below (no body is being aggregated).
        FullHttpRequest failed = new DefaultFullHttpRequest(request.protocolVersion(), request.method(),
            request.uri(), Unpooled.EMPTY_BUFFER, request.headers(), EmptyHttpHeaders.INSTANCE);
        failed.setDecoderResult(request.decoderResult());
        ctx.fireChannelRead(failed);
        return;
      }
      begin(ctx, request);  // a head alone: the codec passes contents separately
      return;
    }
    if (msg instanceof HttpContent content && head != null) {
      append(ctx, content);
    } else {
      ReferenceCountUtil.release(msg);  // stray content after a malformed request
    }
  }

  private void begin(ChannelHandlerContext ctx, HttpRequest request) {
    long length = HttpUtil.getContentLength(request, -1L);
    if (length < 0 && !HttpUtil.isTransferEncodingChunked(request)) {
      length = 0;  // HTTP/1.1: neither Content-Length nor chunked means no body (a GET)
    }
    if (length > maxBytes) {
      refuse(ctx, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, tooLarge());
      return;
    }
    int binaryAt = binaryPartAt(request, length);
    int initial = length >= 0 ? (int) Math.min(length, INITIAL_BYTES) : INITIAL_BYTES;
    bodyLimit = length >= 0 ? (int) length : maxBytes;
    try {
      reservation = MemoryBudget.process().reserve(binaryAt < 0 ? initial
          : HostBackedBody.hostBytes((int) length, binaryAt), "request body");
    } catch (ServingException e) {
      refuse(ctx, HttpResponseStatus.TOO_MANY_REQUESTS, e.getMessage());
      return;
    }
    try {
      body = binaryAt < 0 ? ctx.alloc().directBuffer(initial, maxBytes)
          : HostBackedBody.allocate(ctx.alloc(), (int) length, binaryAt);
    } catch (RuntimeException e) {
      reservation.close();
      reservation = null;
      throw e;
    }
    head = request;
  }

  /**
   * Where the binary part of a body with {@code Inference-Header-Content-Length} (the Open
   * Inference Protocol's binary tensor data) begins, when its length is known and it is not
   * compressed: that body is received into one aligned host buffer at its full length, so its
   * binary inputs can be fed where they arrive. -1 otherwise (the header is checked again, with
   * its errors, when the request is answered).
   */
  private static int binaryPartAt(HttpRequest request, long length) {
    String given = request.headers().get(BINARY_HEADER_LENGTH);
    if (given == null || length <= 0 || request.headers().contains(HttpHeaderNames.CONTENT_ENCODING)) {
      return -1;
    }
    try {
      long at = Long.parseLong(given.trim());
      return at >= 0 && at <= length ? (int) at : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Copies {@code content} into the body (releasing it); passes the request on at its end. */
  private void append(ChannelHandlerContext ctx, HttpContent content) {
    boolean last = content instanceof LastHttpContent;
    try {
      ByteBuf in = content.content();
      long needed = (long) body.readableBytes() + in.readableBytes();
      if (needed > maxBytes) {
        refuse(ctx, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, tooLarge());
        return;
      }
      if (needed > body.capacity()) {
        // Doubling (at most twice the bytes copied), never past the declared length unless the
        // client sends more than it declared (then up to the limit).
        long cap = needed <= bodyLimit ? bodyLimit : maxBytes;
        int capacity = (int) Math.min(cap, Math.max(needed, 2L * body.capacity()));
        try {
          reservation.grow(capacity - body.capacity(), "request body");
        } catch (ServingException e) {
          refuse(ctx, HttpResponseStatus.TOO_MANY_REQUESTS, e.getMessage());
          return;
        }
        body.capacity(capacity);
      }
      body.writeBytes(in);
    } finally {
      content.release();
      if (draining && last) {
        closeAfterResponse();
      }
    }
    if (last) {
      HttpHeaders trailing = ((LastHttpContent) content).trailingHeaders();
      FullHttpRequest full = new BudgetedRequest(head, body, reservation,
          trailing.isEmpty() ? EmptyHttpHeaders.INSTANCE : trailing);
      full.setDecoderResult(content.decoderResult());
      head = null;
      body = null;
      reservation = null;
      ctx.fireChannelRead(full);
    }
  }

  private String tooLarge() {
    return "Request body is larger than the server's limit of " + maxBytes
        + " bytes (--rest_api_max_body_bytes)";
  }

  /**
   * A body that did not inflate ({@link BodyDecompressor.Failed}) is answered with a JSON 400 and
   * drained like a refused one. The inflater's own error when it is cleaned up at close (the rest
   * of a stream it could not decode) is dropped once the request was answered or the connection
   * is gone: nothing is left to tell. Other exceptions go on to {@link RestHandler}.
   */
  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof BodyDecompressor.Failed) {
      if (!draining) {
        refuse(ctx, HttpResponseStatus.BAD_REQUEST, cause.getMessage());
      }
    } else if (!(cause instanceof DecompressionException && (draining || !ctx.channel().isActive()))) {
      ctx.fireExceptionCaught(cause);
    }
  }

  /**
   * Answers {@code status} and starts draining; frees any partial body. The decompressor in front
   * stops inflating: the rest of the body arrives as sent and is only counted and dropped.
   */
  private void refuse(ChannelHandlerContext ctx, HttpResponseStatus status, String message) {
    freeBody();
    BodyDecompressor inflater = ctx.pipeline().get(BodyDecompressor.class);
    if (inflater != null) {
      inflater.passThrough();
    }
    RestHandler.CLIENT_ERRORS.log("REST request from " + ctx.channel().remoteAddress() + " refused: "
        + status.code() + " " + message);
    timeouts.serving();  // no 408 or idle close on top of this answer
    responseWritten = ctx.writeAndFlush(ErrorResponses.closing(status, message));
    draining = true;
    ctx.executor().schedule(() -> ctx.close(), DRAIN_SECONDS, TimeUnit.SECONDS);
  }

  /** While draining, every inbound message is dropped here; this handler owns and releases it. */
  private void drain(Object msg) {
    if (msg instanceof ByteBufHolder holder) {
      drainedBytes += holder.content().readableBytes();
    }
    boolean last = msg instanceof LastHttpContent;
    ReferenceCountUtil.release(msg);
    if (last || drainedBytes > DRAIN_BYTES) {
      closeAfterResponse();
    }
  }

  private void closeAfterResponse() {
    responseWritten.addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if ((head != null || draining) && !ctx.channel().config().isAutoRead()) {
      ctx.read();  // the body is incomplete, or still being drained
    }
    ctx.fireChannelReadComplete();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    freeBody();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    freeBody();
  }

  private void freeBody() {
    head = null;
    if (body != null) {
      body.release();
      body = null;
    }
    if (reservation != null) {
      reservation.close();
      reservation = null;
    }
  }

  /** An aggregated request whose final release also returns its body's reservation. */
  private static final class BudgetedRequest extends DefaultFullHttpRequest {
    private final MemoryBudget.Reservation reservation;

    BudgetedRequest(HttpRequest head, ByteBuf body, MemoryBudget.Reservation reservation,
        HttpHeaders trailing) {
      super(head.protocolVersion(), head.method(), head.uri(), body, head.headers(), trailing);
      this.reservation = reservation;
    }

    @Override
    public boolean release() {
      return returned(super.release());
    }

    @Override
    public boolean release(int decrement) {
      return returned(super.release(decrement));
    }

    private boolean returned(boolean freed) {
      if (freed) {
        reservation.close();
      }
      return freed;
    }
  }
}
