package io.tessera.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.HttpContentDecompressor;
import io.netty.handler.codec.http.HttpRequest;

/**
 * Netty's request-body inflater (gzip, deflate, ...) with two changes. A body that does not
 * inflate (corrupt gzip, {@code Content-Encoding: gzip} on a plain body) is reported to
 * {@link JsonBodyLimit} as a {@link Failed} exception, which answers a JSON 400 "Failed to
 * decompress request body" instead of the connection being closed without an answer. After such a
 * failure, or once {@link JsonBodyLimit} refused the body ({@link #passThrough}), the rest of the
 * request's contents pass on as they arrived, not inflated: they are only drained, and a bomb is
 * never inflated past the point where it was refused.
 *
 * <p>Ownership: as {@link HttpContentDecompressor} (each inbound message is released here or
 * passed on; Netty releases the input of a failed decode). One instance per connection; event
 * loop only.
 */
final class BodyDecompressor extends HttpContentDecompressor {
  /** The body's bytes did not inflate; {@link #getCause} is Netty's decoder error. */
  static final class Failed extends RuntimeException {
    Failed(Throwable cause) {
      super("Failed to decompress request body: " + cause.getMessage(), cause, false, false);
    }
  }

  private boolean passThrough;

  /** The current request's remaining contents are passed on raw (to be drained). */
  void passThrough() {
    passThrough = true;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (passThrough && !(msg instanceof HttpRequest)) {
      ctx.fireChannelRead(msg);  // the next handler drains (and releases) it
      return;
    }
    passThrough = false;
    try {
      super.channelRead(ctx, msg);
    } catch (DecoderException e) {
      passThrough = true;
      ctx.fireExceptionCaught(new Failed(e.getCause() != null ? e.getCause() : e));
    }
  }
}
