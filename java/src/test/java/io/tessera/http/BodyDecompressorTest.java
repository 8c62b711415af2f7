package io.tessera.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBufHolder;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.tessera.admission.Limits;
import io.tessera.admission.MemoryBudget;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** {@link BodyDecompressor} in front of {@link JsonBodyLimit}, driven through an EmbeddedChannel. */
class BodyDecompressorTest {
  /** Sums the body bytes passed from the decompressor to JsonBodyLimit. */
  static final class Seen extends ChannelInboundHandlerAdapter {
    long bytes;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof ByteBufHolder h) {
        bytes += h.content().readableBytes();
      }
      ctx.fireChannelRead(msg);
    }
  }

  static HttpRequest gzipPost() {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v1/models/m:predict");
    r.headers().set(HttpHeaderNames.TRANSFER_ENCODING, "chunked").set(HttpHeaderNames.CONTENT_ENCODING, "gzip");
    return r;
  }

  static byte[] gzip(byte[] plain) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(plain);
    }
    return out.toByteArray();
  }

  @Test
  void aBodyThatDoesNotInflateIsAJson400AndTheConnectionClosesAfterIt() {
    EmbeddedChannel ch = new EmbeddedChannel(new BodyDecompressor(),
        new JsonBodyLimit(1 << 20, new RestTimeouts(Limits.defaults())));
    ch.writeInbound(gzipPost(), new DefaultHttpContent(Unpooled.copiedBuffer("{\"instances\": [1]}",
        StandardCharsets.US_ASCII)));
    FullHttpResponse answer = ch.readOutbound();
    assertEquals(400, answer.status().code());
    String body = answer.content().toString(StandardCharsets.UTF_8);
    assertTrue(body.startsWith("{ \"error\": \"Failed to decompress request body"), body);
    answer.release();
    assertNull(ch.readInbound());
    ch.writeInbound(new DefaultLastHttpContent(Unpooled.wrappedBuffer(new byte[] {1, 2, 3})));  // drained raw
    assertNull(ch.readInbound());
    assertFalse(ch.isOpen(), "closed once the body was drained");
    assertEquals(0, MemoryBudget.process().used());
    ch.finishAndReleaseAll();
  }

  @Test
  void aRefusedBombIsNotInflatedWhileDrained() throws IOException {
    byte[] bomb = gzip(new byte[32 << 20]);  // 32 MiB of zeros, ~32 KB compressed
    Seen seen = new Seen();
    EmbeddedChannel ch = new EmbeddedChannel(new BodyDecompressor(), seen,
        new JsonBodyLimit(100_000, new RestTimeouts(Limits.defaults())));
    ch.writeInbound(gzipPost());
    int chunk = 1024;
    ch.writeInbound(new DefaultHttpContent(Unpooled.wrappedBuffer(Arrays.copyOf(bomb, chunk))));
    FullHttpResponse answer = ch.readOutbound();
    assertEquals(413, answer.status().code());
    answer.release();
    long inflated = seen.bytes;
    for (int at = chunk; at < bomb.length; at += chunk) {
      byte[] part = Arrays.copyOfRange(bomb, at, Math.min(bomb.length, at + chunk));
      ch.writeInbound(new DefaultHttpContent(Unpooled.wrappedBuffer(part)));
    }
    assertEquals(inflated + bomb.length - chunk, seen.bytes, "the rest passed on as sent");
    assertNull(ch.readInbound());
    ch.finishAndReleaseAll();
  }
}
