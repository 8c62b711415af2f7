package io.tessera.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContentDecompressor;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.tessera.admission.Limits;
import io.tessera.admission.MemoryBudget;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link RequestGate} and {@link JsonBodyLimit} driven through an EmbeddedChannel, no sockets. */
class RestPipelineTest {
  private final MemoryBudget saved = MemoryBudget.process();

  @AfterEach
  void restoreBudget() {
    MemoryBudget.install(saved);
  }

  /** Counts read() requests that reach the transport. */
  static final class Reads extends ChannelOutboundHandlerAdapter {
    int count;

    @Override
    public void read(ChannelHandlerContext ctx) {
      count++;
      ctx.read();
    }
  }

  static HttpRequest post(int length) {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v1/models/m:predict");
    r.headers().set(HttpHeaderNames.CONTENT_LENGTH, length);
    return r;
  }

  @Test
  void theGateHoldsTheNextRequestUntilTheAnswerIsWritten() {
    Reads reads = new Reads();
    RestTimeouts timeouts = new RestTimeouts(Limits.defaults());
    RequestGate gate = new RequestGate(timeouts);
    EmbeddedChannel ch = new EmbeddedChannel(reads, timeouts, gate);
    int readsAtStart = reads.count;
    ch.writeInbound(post(0), LastHttpContent.EMPTY_LAST_CONTENT, post(0), LastHttpContent.EMPTY_LAST_CONTENT);
    assertTrue(ch.readInbound() instanceof HttpRequest);
    assertTrue(ch.readInbound() instanceof LastHttpContent);
    assertNull(ch.readInbound(), "the second request waits");
    ch.read();
    assertEquals(readsAtStart, reads.count, "no socket read while a request is served");
    gate.responseDone();
    assertTrue(ch.readInbound() instanceof HttpRequest);
    assertTrue(ch.readInbound() instanceof LastHttpContent);
    assertNull(ch.readInbound());
    gate.responseDone();
    assertEquals(readsAtStart + 1, reads.count, "nothing waits: the socket is read again");
    ch.finishAndReleaseAll();
  }

  @Test
  void aMalformedRequestReachesTheHandlerAsOneFailedFullRequest() {
    EmbeddedChannel ch = new EmbeddedChannel(new HttpServerCodec(), new HttpContentDecompressor(),
        new JsonBodyLimit(1 << 20, new RestTimeouts(Limits.defaults())));
    ch.writeInbound(Unpooled.copiedBuffer("GET /v1/models/m HTTP/1.1\r\nBad Header\r\n\r\n",
        StandardCharsets.US_ASCII));
    Object first = ch.readInbound();
    assertTrue(first instanceof FullHttpRequest, String.valueOf(first));
    assertTrue(((FullHttpRequest) first).decoderResult().isFailure());
    ((FullHttpRequest) first).release();
    ch.finishAndReleaseAll();
  }

  @Test
  void aBodyIsChargedToTheBudgetUntilTheRequestIsReleased() {
    MemoryBudget.install(new MemoryBudget(1 << 20));
    EmbeddedChannel ch = new EmbeddedChannel(new JsonBodyLimit(1 << 20, new RestTimeouts(Limits.defaults())));
    ch.writeInbound(post(300_000));
    for (int i = 0; i < 3; i++) {
      ch.writeInbound(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[100_000])));
    }
    assertTrue(MemoryBudget.process().used() >= 300_000);
    ch.writeInbound(LastHttpContent.EMPTY_LAST_CONTENT);
    FullHttpRequest full = ch.readInbound();
    assertEquals(300_000, full.content().readableBytes());
    assertTrue(full.content().isDirect());
    assertEquals(300_000, MemoryBudget.process().used(), "grown to the declared length, no further");
    full.release();
    assertEquals(0, MemoryBudget.process().used());
    ch.finishAndReleaseAll();
  }

  @Test
  void aBodyOverTheBudgetIsA429AndAClosedConnectionReturnsItsPart() {
    MemoryBudget.install(new MemoryBudget(100_000));
    EmbeddedChannel ch = new EmbeddedChannel(new JsonBodyLimit(1 << 20, new RestTimeouts(Limits.defaults())));
    ch.writeInbound(post(300_000));
    ch.writeInbound(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[90_000])));
    ch.writeInbound(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[90_000])));
    FullHttpResponse refused = ch.readOutbound();
    assertEquals(429, refused.status().code());
    refused.release();
    assertEquals(0, MemoryBudget.process().used(), "the refused part is freed at once");
    assertNull(ch.readInbound());
    ch.writeInbound(new DefaultLastHttpContent(Unpooled.wrappedBuffer(new byte[10])));  // drained
    assertNull(ch.readInbound());

    EmbeddedChannel other = new EmbeddedChannel(new JsonBodyLimit(1 << 20, new RestTimeouts(Limits.defaults())));
    other.writeInbound(post(50_000), new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[20_000])));
    assertTrue(MemoryBudget.process().used() > 0);
    other.close();
    assertEquals(0, MemoryBudget.process().used(), "closed mid-body: nothing stays charged");
    ch.finishAndReleaseAll();
    other.finishAndReleaseAll();
  }
}
