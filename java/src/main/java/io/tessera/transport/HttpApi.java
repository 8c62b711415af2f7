package io.tessera.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * Another HTTP API served by the REST listener beside TF Serving's {@code /v1/} (the Open
 * Inference Protocol's {@code /v2/}): the listener keeps the transport (limits, one request in
 * flight per connection, keep-alive, drain) and hands each request under {@link #owns} to
 * {@link #answer} on a REST worker thread (or, for a cheap route, on the I/O thread; see
 * {@link #costKey}). Implementations must be thread-safe and never block but on the model run.
 */
public interface HttpApi {
  /** True for the (query-less) paths this API answers. */
  boolean owns(String path);

  /**
   * The {@link InlineRuns} route of a request: small requests to a route whose recent answers were
   * cheap run on the I/O thread instead of a worker. Null (the default): always a worker.
   */
  default String costKey(String method, String path) {
    return null;
  }

  /**
   * Answers one request, client errors included (in the API's own format).
   *
   * @param body the aggregated request body; the caller releases it after this returns, so the
   *     answer must not keep a reference to it
   * @param alloc for the response body, which the caller writes (and Netty then releases)
   */
  FullHttpResponse answer(String method, String path, HttpHeaders headers, ByteBuf body, ByteBufAllocator alloc);
}
