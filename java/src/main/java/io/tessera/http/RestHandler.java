package io.tessera.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.tessera.admission.ClientErrorLog;
import io.tessera.status.ErrorText;
import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import io.tessera.transport.HttpApi;
import io.tessera.transport.InlineRuns;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * Dispatches each aggregated HTTP request to the REST worker pool and writes the answer back on
 * the channel's event loop, or, for small requests to routes {@link InlineRuns} knows as cheap,
 * answers on the event loop directly. First it screens the request as TF Serving's HTTP server
 * does (net_http over libevent, {@code http_server.cc}): methods libevent refuses (501), a
 * request-target its strict URI parser refuses (400, {@link RequestTarget}), the {@code /v1/}
 * dispatch on the raw uri_path, and OPTIONS there as the CORS preflight, with or without CORS.
 *
 * <p>Buffer ownership: autoRelease is off; the request is released exactly once, by respond()
 * when it has answered (on a worker or inline), or here if it is never answered; that release also
 * returns the body's memory reservation ({@link JsonBodyLimit}). The response buffer belongs to
 * Netty once written. Only the event loop writes to the channel.
 *
 * <p>One request at a time per connection ({@link RequestGate}): once a kept-alive response's write
 * has completed, the gate is told to pass the next request; the write itself is watched by
 * {@link RestTimeouts}. Errors (OutOfMemoryError, StackOverflowError...) are never caught: the
 * request is released and the connection closed on the way out, and the Error propagates.
 * Client-caused failures are logged through {@link #CLIENT_ERRORS} (one line, rate-limited).
 */
final class RestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger LOG = Logger.getLogger(RestHandler.class.getName());
  /** The REST listener's log of client-caused errors (shared by the package's handlers). */
  static final ClientErrorLog CLIENT_ERRORS = new ClientErrorLog(LOG, 10);
  /** The methods TF Serving's net_http lets libevent accept (evhttp_set_allowed_methods). */
  private static final Set<String> LIBEVENT_METHODS = Set.of("GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS",
      "PATCH");
  /** http_server.cc's preflight test: RE2::PartialMatch(origin, "https?://"). */
  private static final Pattern PREFLIGHT_ORIGIN = Pattern.compile("https?://");

  private final RestApi api;
  private final Executor workers;
  private final boolean cors;
  private final ExtraPages extras;
  private final Drain drain;
  private final InlineRuns inline;
  private final RequestGate gate;
  private final RestTimeouts timeouts;
  private final HttpApi otherApi;

  /** @param otherApi another API on this listener (the Open Inference Protocol), or null */
  RestHandler(RestApi api, Executor workers, InlineRuns inline, boolean cors, ExtraPages extras, Drain drain,
      RequestGate gate, RestTimeouts timeouts, HttpApi otherApi) {
    super(false);
    this.otherApi = otherApi;
    this.gate = gate;
    this.timeouts = timeouts;
    this.api = api;
    this.workers = workers;
    this.inline = inline;
    this.cors = cors;
    this.extras = extras;
    this.drain = drain;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    String method = request.method().name();
    if (!request.decoderResult().isSuccess()) {
      CLIENT_ERRORS.log("Malformed HTTP request from " + ctx.channel().remoteAddress() + ": "
          + request.decoderResult().cause());
      request.release();
      send(ctx, error(ctx, StatusCode.INVALID_ARGUMENT, "Malformed HTTP request"), false);
      return;
    }
    if (!LIBEVENT_METHODS.contains(method)) {
      // libevent answers a method outside its allowed set 501 before net_http sees the request.
      request.release();
      send(ctx, error(ctx, StatusCode.UNIMPLEMENTED, "Method not implemented: " + method), keepAlive);
      return;
    }
    RequestTarget target = RequestTarget.parse(request.uri());
    if (target == null) {
      // e.g. "/v1/models/%zz", a control character or a space in the path: TF Serving's 400 (its
      // body is libevent's HTML page; ours is the JSON error every other failure gets)
      request.release();
      send(ctx, error(ctx, StatusCode.INVALID_ARGUMENT, "Malformed request: " + method + " "
          + ErrorText.truncate(request.uri())), keepAlive);
      return;
    }
    String path = target.path();
    if (otherApi != null && otherApi.owns(path)) {
      String otherKey = otherApi.costKey(method, path);
      if (otherKey != null && inline.runInline(otherKey, request.content().readableBytes())) {
        FullHttpResponse answered = respondOther(ctx, method, path, request, otherKey);
        send(ctx, answered, keepAlive);
        return;
      }
      try {
        workers.execute(() -> answer(ctx, () -> respondOther(ctx, method, path, request, otherKey), keepAlive));
      } catch (RejectedExecutionException e) {
        request.release();
        send(ctx, error(ctx, StatusCode.UNAVAILABLE, "Server is shutting down"), false);
      }
      return;
    }
    if (!RestRoute.isApiPath(target.uriPath())) {
      request.release();
      if (extras == null || !request.method().equals(HttpMethod.GET)) {
        send(ctx, plain(HttpResponseStatus.NOT_FOUND, "<h1>Not Found</h1>"), keepAlive);
        return;
      }
      try {
        workers.execute(() -> answerPage(ctx, path, keepAlive));
      } catch (RejectedExecutionException e) {
        send(ctx, error(ctx, StatusCode.UNAVAILABLE, "Server is shutting down"), false);
      }
      return;
    }
    if (request.method().equals(HttpMethod.OPTIONS)) {
      // http_server.cc answers OPTIONS on any API path itself, CORS support or not: OK for an
      // Origin containing http:// or https://, else FAILED_PRECONDITION (400).
      String origin = request.headers().get(HttpHeaderNames.ORIGIN, "");
      request.release();
      if (PREFLIGHT_ORIGIN.matcher(origin).find()) {
        api.recordUnrouted(StatusCode.OK);
        send(ctx, new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER),
            keepAlive);
      } else {
        api.recordUnrouted(StatusCode.FAILED_PRECONDITION);
        send(ctx, error(ctx, StatusCode.FAILED_PRECONDITION, "Origin header is missing in CORS preflight"), keepAlive);
      }
      return;
    }
    RestRoute route;
    try {
      route = RestRoute.parse(method, ImageUpload.routedPath(method,
          request.headers().get(HttpHeaderNames.CONTENT_TYPE), request.content().nioBuffer(), target.uriPath()));
    } catch (ServingException e) {
      request.release();
      api.recordUnrouted(e.code());
      send(ctx, error(ctx, e.code(), e.getMessage()), keepAlive);
      return;
    }
    // InlineRuns' route: model and verb, image uploads apart (decoding is never cheap)
    String costKey = route.kind() + " " + route.modelName()
        + (ImageUpload.isUpload(request.headers().get(HttpHeaderNames.CONTENT_TYPE), request.content().nioBuffer())
            ? " upload" : "");
    if (inline.runInline(costKey, request.content().readableBytes())) {
      send(ctx, respond(ctx, route, request, costKey), keepAlive);
      return;
    }
    try {
      workers.execute(() -> answer(ctx, () -> respond(ctx, route, request, costKey), keepAlive));
    } catch (RejectedExecutionException e) {
      request.release();
      send(ctx, error(ctx, StatusCode.UNAVAILABLE, "Server is shutting down"), false);
    }
  }

  /** Runs on a worker thread; hands the response to the event loop (or closes, if an Error escapes). */
  private void answer(ChannelHandlerContext ctx, Supplier<FullHttpResponse> respond, boolean keepAlive) {
    FullHttpResponse ready = null;
    try {
      ready = respond.get();
    } finally {
      if (ready == null) {
        ctx.channel().close();  // an Error is propagating: the client must not wait forever
      }
    }
    FullHttpResponse response = ready;
    try {
      ctx.executor().execute(() -> send(ctx, response, keepAlive));
    } catch (RejectedExecutionException e) {
      response.release();
    }
  }

  /**
   * Answers one API request (on a worker or inline); releases the request on every path, an
   * escaping Error included; records its cost.
   */
  private FullHttpResponse respond(ChannelHandlerContext ctx, RestRoute route, FullHttpRequest request,
      String costKey) {
    long started = System.nanoTime();
    ChunkedBodyStream body = new ChunkedBodyStream(ctx.alloc());
    FullHttpResponse response;
    try {
      String contentType = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
      ByteBuffer content = request.content().nioBuffer();
      int topK = ImageUpload.isUpload(contentType, content)
          ? ImageUpload.topK(new QueryStringDecoder(request.uri()).parameters()) : 0;
      String timing = api.handle(route, content, contentType, topK, body);
      response = json(HttpResponseStatus.OK, body.finish());
      if (timing != null) {
        response.headers().set("Server-Timing", timing);
      }
    } catch (ServingException e) {
      if (e.code().httpStatus() < 500) {
        CLIENT_ERRORS.log("REST request " + route + " failed: " + e.code() + ": " + e.getMessage());
      }
      response = error(ctx, e.code(), e.getMessage());
    } catch (Exception e) {
      LOG.log(Level.SEVERE, "REST request " + route + " failed", e);
      response = error(ctx, StatusCode.INTERNAL, String.valueOf(e.getMessage()));
    } finally {
      request.release();  // also when an Error escapes
      body.release();     // an unfinished answer (error paths); a no-op once finished
    }
    if (response.status().code() == HttpResponseStatus.OK.code()) {
      // Only answered requests: routes to models that do not exist are never tracked.
      inline.record(costKey, System.nanoTime() - started);
    }
    return response;
  }

  /**
   * Answers a request to {@link #otherApi} (which renders its own errors), on a worker or inline;
   * releases the request on every path; records the cost of answered calls under {@code costKey}.
   */
  private FullHttpResponse respondOther(ChannelHandlerContext ctx, String method, String path,
      FullHttpRequest request, String costKey) {
    long started = System.nanoTime();
    FullHttpResponse response;
    try {
      response = otherApi.answer(method, path, request.headers(), request.content(), ctx.alloc());
    } catch (RuntimeException e) {
      LOG.log(Level.SEVERE, method + " " + path + " failed", e);
      response = error(ctx, StatusCode.INTERNAL, String.valueOf(e.getMessage()));
    } finally {
      request.release();  // also when an Error escapes
    }
    if (costKey != null && response.status().code() == HttpResponseStatus.OK.code()) {
      inline.record(costKey, System.nanoTime() - started);
    }
    return response;
  }

  /** Runs on a worker thread: metrics, probes, demo page. */
  private void answerPage(ChannelHandlerContext ctx, String path, boolean keepAlive) {
    FullHttpResponse response;
    ExtraPages.Page page;
    try {
      page = extras.get(path);
    } catch (RuntimeException e) {
      LOG.log(Level.SEVERE, "GET " + path + " failed", e);
      FullHttpResponse failed = error(ctx, StatusCode.INTERNAL, String.valueOf(e.getMessage()));
      ctx.executor().execute(() -> send(ctx, failed, keepAlive));
      return;
    }
    if (page == null) {
      response = plain(HttpResponseStatus.NOT_FOUND, "<h1>Not Found</h1>");
    } else {
      response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
          HttpResponseStatus.valueOf(page.status()), Unpooled.wrappedBuffer(page.body()));
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, page.contentType());
    }
    try {
      ctx.executor().execute(() -> send(ctx, response, keepAlive));
    } catch (RejectedExecutionException e) {
      response.release();
    }
  }

  private void send(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
    HttpUtil.setContentLength(response, response.content().readableBytes());
    if (cors) {
      response.headers()
          .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*")
          .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "POST, GET")
          .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, "Content-Type");
    }
    if (keepAlive && !drain.draining()) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      ChannelFuture written = ctx.writeAndFlush(response);
      timeouts.writing(written);
      written.addListener((ChannelFutureListener) f -> {
        if (f.isSuccess()) {
          gate.responseDone();  // all handed to the socket: the next request may be read
        } else {
          f.channel().close();
        }
      });
    } else {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ChannelFuture written = ctx.writeAndFlush(response);
      timeouts.writing(written);
      written.addListener(ChannelFutureListener.CLOSE);
    }
  }

  private static FullHttpResponse json(HttpResponseStatus status, ByteBuf body) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    return response;
  }

  private static FullHttpResponse error(ChannelHandlerContext ctx, StatusCode code, String message) {
    ByteBuf body = ctx.alloc().buffer().writeBytes(RestApi.errorBody(message));
    return json(HttpResponseStatus.valueOf(code.httpStatus()), body);
  }

  private static FullHttpResponse plain(HttpResponseStatus status, String text) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
        Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/html; charset=UTF-8");
    return response;
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof Error) {
      // Thrown on the event loop (an inline run) and caught by Netty, not by us: a server fault.
      LOG.log(Level.SEVERE, "REST connection closed by an Error", cause);
    } else {
      CLIENT_ERRORS.log("REST connection from " + ctx.channel().remoteAddress() + " closed: " + cause);
    }
    ctx.close();
  }
}
