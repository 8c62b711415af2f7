package io.tessera.v2.rest;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.tessera.serving.CallDeadline;
import io.tessera.serving.DeclaredTensor;
import io.tessera.serving.ModelRef;
import io.tessera.serving.Origin;
import io.tessera.serving.ServerCore;
import io.tessera.status.ErrorText;
import io.tessera.status.ServingException;
import io.tessera.tensor.json.BufferInput;
import io.tessera.transport.HostBackedBody;
import io.tessera.transport.HttpApi;
import io.tessera.v2.InferCalls;
import io.tessera.v2.ModelMetadata;
import io.tessera.v2.RepositoryCalls;
import io.tessera.v2.RepositoryIndex;
import io.tessera.v2.V2Server;
import io.tessera.v2.V2Settings;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The {@code /v2} REST API (see the package comment). Every failure is answered as Triton does:
 * {@code {"error": "<message>"}} with {@link V2Server#httpStatus}'s status (a bad request is
 * exactly 400). Inference and model metadata and readiness go through the pipeline (metrics with
 * entrypoint REST and the API label ModelInfer, ModelMetadata or ModelReady); health and the
 * repository read the server core. Thread-safe; runs on REST worker threads, or on the I/O thread
 * for a route the listener measured cheap ({@link #costKey}).
 */
public final class V2RestApi implements HttpApi {
  private static final Logger LOG = Logger.getLogger(V2RestApi.class.getName());
  static final String HEADER_LENGTH = "Inference-Header-Content-Length";

  private final ServerCore core;
  private final V2Settings settings;

  public V2RestApi(ServerCore core, V2Settings settings) {
    this.core = core;
    this.settings = settings;
  }

  @Override
  public boolean owns(String path) {
    return V2Route.owns(path);
  }

  /** Inference, model metadata and readiness per model may run inline when measured cheap. */
  @Override
  public String costKey(String method, String path) {
    try {
      V2Route route = V2Route.parse(method, path);
      return switch (route.kind()) {
        case INFER, MODEL_METADATA, MODEL_READY -> "v2 " + route.kind() + " " + route.model();
        default -> null;  // health is trivial; repository calls block on loads
      };
    } catch (ServingException e) {
      return null;
    }
  }

  @Override
  public FullHttpResponse answer(String method, String path, HttpHeaders headers, ByteBuf body,
      ByteBufAllocator alloc) {
    ByteBuf out = alloc.buffer();
    try {
      V2Route route = V2Route.parse(method, path);
      return switch (route.kind()) {
        case LIVE -> json(HttpResponseStatus.OK, out, j -> j.writeBooleanField("live", true));
        case READY -> flag(core.allModelsAvailable(), "ready", out);
        case SERVER_METADATA -> json(HttpResponseStatus.OK, out, this::serverMetadata);
        case MODEL_METADATA -> json(HttpResponseStatus.OK, out, j -> modelMetadata(j, ModelMetadata.of(
            core.pipeline().describe(model(route), Origin.rest("ModelMetadata")))));
        case MODEL_READY -> flag(core.pipeline().ready(model(route), Origin.rest("ModelReady")), "ready", out);
        case INFER -> infer(route, headers, body, out);
        case INDEX -> index(body, out);
        case LOAD -> {
          RepositoryCalls.load(core, settings, route.model(), basePath(body));
          yield empty(out);
        }
        case UNLOAD -> {
          RepositoryCalls.unload(core, settings, route.model());
          yield empty(out);
        }
      };
    } catch (ServingException e) {
      out.clear();
      return error(e, out);
    } catch (RuntimeException e) {
      LOG.log(Level.SEVERE, method + " " + path + " failed", e);
      out.clear();
      return error(ServingException.internal(String.valueOf(e.getMessage())), out);
    } catch (Error e) {
      out.release();
      throw e;
    }
  }

  private FullHttpResponse infer(V2Route route, HttpHeaders headers, ByteBuf body, ByteBuf out) {
    ByteBuffer whole = body.nioBuffer();
    int jsonLength = headerLength(headers, whole.remaining());
    ByteBuffer json = whole.duplicate().limit(whole.position() + jsonLength).slice();
    ByteBuffer binary = whole.duplicate().position(whole.position() + jsonLength).slice();
    CallDeadline deadline = CallDeadline.afterMillis(settings.restTimeoutMs());
    ModelRef model = model(route);
    InferJson.Header header = InferJson.header(json);
    // A body received into an aligned host buffer: its binary inputs are fed from there, no copy.
    InferJson.Host host = body instanceof HostBackedBody received
        ? new InferJson.Host(received.host(), received.hostOffset(body.readerIndex() + jsonLength)) : null;
    Map<String, DeclaredTensor> inputs = InferJson.inputs(json, header, binary, host);  // the pipeline's from here
    int[] binaryAt = {-1};
    try {
      core.pipeline().predict(InferCalls.predict(model, inputs, header.outputs(), deadline,
          Origin.rest(InferCalls.INFER)), ran -> {
            binaryAt[0] = InferResponseWriter.write(ran, header, out);
            return null;
          });
    } catch (UncheckedIOException e) {
      throw ServingException.internal("writing the response failed: " + e.getCause().getMessage());
    }
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, out);
    if (binaryAt[0] >= 0) {
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM)
          .set(HEADER_LENGTH, binaryAt[0]);
    } else {
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    }
    return response;
  }

  /** The JSON part's length: the header's value (binary data follows), else the whole body. */
  static int headerLength(HttpHeaders headers, int bodyLength) {
    String given = headers.get(HEADER_LENGTH);
    if (given == null) {
      return bodyLength;
    }
    long length;
    try {
      length = Long.parseLong(given.trim());
    } catch (NumberFormatException e) {
      throw ServingException.invalidArgument(HEADER_LENGTH + " must be an integer, got '"
          + ErrorText.truncate(given) + "'");
    }
    if (length < 0 || length > bodyLength) {
      throw ServingException.invalidArgument(HEADER_LENGTH + " " + length + " is outside the body of "
          + bodyLength + " bytes");
    }
    return (int) length;
  }

  private static ModelRef model(V2Route route) {
    return V2Server.model(route.model(), route.version());
  }

  private void serverMetadata(JsonGenerator j) throws IOException {
    j.writeStringField("name", V2Server.NAME);
    j.writeStringField("version", V2Server.VERSION);
    j.writeArrayFieldStart("extensions");
    for (String e : V2Server.EXTENSIONS) {
      j.writeString(e);
    }
    j.writeEndArray();
  }

  private static void modelMetadata(JsonGenerator j, ModelMetadata m) throws IOException {
    j.writeStringField("name", m.name());
    j.writeArrayFieldStart("versions");
    for (String v : m.versions()) {
      j.writeString(v);
    }
    j.writeEndArray();
    j.writeStringField("platform", m.platform());
    tensors(j, "inputs", m.inputs());
    tensors(j, "outputs", m.outputs());
  }

  private static void tensors(JsonGenerator j, String field, List<ModelMetadata.TensorMeta> tensors)
      throws IOException {
    j.writeArrayFieldStart(field);
    for (ModelMetadata.TensorMeta t : tensors) {
      j.writeStartObject();
      InferResponseWriter.describe(j, t.name(), t.datatype(), t.shape());
      j.writeEndObject();
    }
    j.writeEndArray();
  }

  private FullHttpResponse index(ByteBuf body, ByteBuf out) {
    boolean readyOnly = Boolean.TRUE.equals(bodyMember(body, "ready"));
    try (JsonGenerator j = generator(out)) {
      j.writeStartArray();
      for (RepositoryIndex.Row row : RepositoryIndex.rows(core.repository().index(), readyOnly)) {
        j.writeStartObject();
        j.writeStringField("name", row.name());
        if (!row.version().isEmpty()) {
          j.writeStringField("version", row.version());
        }
        j.writeStringField("state", row.state());
        j.writeStringField("reason", row.reason());
        j.writeEndObject();
      }
      j.writeEndArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return respond(HttpResponseStatus.OK, out);
  }

  /** A load's {@code parameters.base_path}, or null. */
  private static String basePath(ByteBuf body) {
    Object path = bodyMember(body, "parameters." + RepositoryCalls.BASE_PATH);
    if (path != null && !(path instanceof String)) {
      throw ServingException.invalidArgument(RepositoryCalls.BASE_PATH + " must be a string");
    }
    return (String) path;
  }

  /**
   * A scalar of a small JSON body ({@code member} or {@code parent.member}); null when the body is
   * empty or has no such member.
   */
  private static Object bodyMember(ByteBuf body, String member) {
    if (body.readableBytes() == 0) {
      return null;
    }
    String[] path = member.split("\\.");
    try (JsonParser p = BufferInput.parser(InferJson.FACTORY, body.nioBuffer())) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw ServingException.invalidArgument("the request body must be a JSON object");
      }
      int depth = 0;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        boolean match = p.currentName().equals(path[depth]);
        JsonToken v = p.nextToken();
        if (match && depth + 1 < path.length && v == JsonToken.START_OBJECT) {
          depth++;
        } else if (match && depth + 1 == path.length) {
          return switch (v) {
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_STRING -> p.getText();
            default -> {
              p.skipChildren();
              yield "";
            }
          };
        } else {
          p.skipChildren();
        }
      }
      return null;
    } catch (IOException e) {
      throw ServingException.invalidArgument("failed to parse the request JSON: " + e.getMessage());
    }
  }

  private interface Members {
    void write(JsonGenerator json) throws IOException;
  }

  private static FullHttpResponse json(HttpResponseStatus status, ByteBuf out, Members members) {
    try (JsonGenerator j = generator(out)) {
      j.writeStartObject();
      members.write(j);
      j.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return respond(status, out);
  }

  /** A health or readiness answer: 200 when true, 400 when false (the spec's 4xx), as JSON. */
  private static FullHttpResponse flag(boolean value, String name, ByteBuf out) {
    return json(value ? HttpResponseStatus.OK : HttpResponseStatus.BAD_REQUEST, out,
        j -> j.writeBooleanField(name, value));
  }

  private static FullHttpResponse empty(ByteBuf out) {
    return respond(HttpResponseStatus.OK, out);
  }

  private static FullHttpResponse error(ServingException e, ByteBuf out) {
    return json(HttpResponseStatus.valueOf(V2Server.httpStatus(e.code())), out,
        j -> j.writeStringField("error", ErrorText.truncate(e.getMessage())));
  }

  private static JsonGenerator generator(ByteBuf out) throws IOException {
    return InferJson.FACTORY.createGenerator((OutputStream) new ByteBufOutputStream(out));
  }

  private static FullHttpResponse respond(HttpResponseStatus status, ByteBuf out) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, out);
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    return response;
  }
}
