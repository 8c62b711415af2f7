package io.tessera.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.tessera.admission.Limits;
import io.tessera.admission.MemoryBudget;
import io.tessera.nativebridge.HostBuffer;
import io.tessera.tensor.SharedHostBuffer;
import io.tessera.transport.HostBackedBody;
import org.junit.jupiter.api.Test;

/**
 * {@link JsonBodyLimit} receives a binary v2 body into an aligned host buffer: the binary part on
 * a 64-byte boundary, the budget charged once for it and returned once, the memory freed when the
 * request and its views are done.
 */
class AlignedBinaryBodyTest {
  private static HttpRequest post(int length, String headerLength) {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v2/models/m/infer");
    r.headers().set(HttpHeaderNames.CONTENT_LENGTH, length).set(JsonBodyLimit.BINARY_HEADER_LENGTH, headerLength);
    return r;
  }

  @Test
  void theBinaryPartLandsOnABoundaryAndTheBudgetIsChargedOnce() {
    long liveBefore = HostBuffer.liveBytes();
    EmbeddedChannel ch = new EmbeddedChannel(new JsonBodyLimit(1 << 20, new RestTimeouts(Limits.defaults())));
    int json = 37;
    int length = json + 200;
    ch.writeInbound(post(length, Integer.toString(json)));
    long reserved = HostBackedBody.hostBytes(length, json);
    assertEquals(reserved, MemoryBudget.process().used(), "the whole body, reserved at its head");
    ch.writeInbound(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[100])),
        new DefaultLastHttpContent(Unpooled.wrappedBuffer(new byte[length - 100])));
    FullHttpRequest request = ch.readInbound();
    assertTrue(request.content() instanceof HostBackedBody, request.content().getClass().getName());
    HostBackedBody body = (HostBackedBody) request.content();
    assertEquals(length, body.readableBytes());
    assertEquals(0, (body.host().address() + body.hostOffset(json)) % SharedHostBuffer.ALIGNMENT);
    assertEquals(reserved, MemoryBudget.process().used(), "no second charge while the body arrived");
    assertTrue(request.release());
    assertEquals(0, MemoryBudget.process().used(), "returned once with the request");
    assertEquals(liveBefore, HostBuffer.liveBytes(), "the host buffer is freed with the last reference");
    assertFalse(ch.finishAndReleaseAll());
  }

  @Test
  void aBadHeaderLengthKeepsTheOrdinaryBody() {
    EmbeddedChannel ch = new EmbeddedChannel(new JsonBodyLimit(1 << 20, new RestTimeouts(Limits.defaults())));
    for (String bad : new String[] {"abc", "-1", "1000"}) {
      ch.writeInbound(post(10, bad), new DefaultLastHttpContent(Unpooled.wrappedBuffer(new byte[10])));
      FullHttpRequest request = ch.readInbound();
      assertFalse(request.content() instanceof HostBackedBody, bad);
      request.release();
    }
    assertEquals(0, MemoryBudget.process().used());
    assertFalse(ch.finishAndReleaseAll());
  }
}
