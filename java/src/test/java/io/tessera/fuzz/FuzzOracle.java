package io.tessera.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Parser;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Runs one case and judges the answer. Contract — a case passes when:
 * <ul>
 *   <li>REST: every status is below 500 or is 503 (admission) / 504 (deadline); on /v1/ paths every
 *       error (status >= 400) of a well-formed request has a JSON body with an "error" field; a
 *       well-formed request is answered unless the server said "Connection: close" first; the server
 *       answers or closes within the timeout (otherwise: hang).</li>
 *   <li>gRPC: the status is one of {@link #ALLOWED}; INTERNAL, UNKNOWN, DATA_LOSS and others fail,
 *       except grpc-java's own INTERNAL "Invalid protobuf byte sequence" for bytes that really do
 *       not parse as the request type (unless -Dtessera.fuzz.strictParse=true); a call with the
 *       long (30 s) deadline that ends in DEADLINE_EXCEEDED is a hang.</li>
 * </ul>
 * {@link #run} returns null on pass, else a one-line reason.
 */
final class FuzzOracle {
  static final Set<Status.Code> ALLOWED = EnumSet.of(Status.Code.OK, Status.Code.INVALID_ARGUMENT,
      Status.Code.NOT_FOUND, Status.Code.FAILED_PRECONDITION, Status.Code.RESOURCE_EXHAUSTED,
      Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED, Status.Code.UNIMPLEMENTED, Status.Code.OUT_OF_RANGE);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final MethodDescriptor.Marshaller<byte[]> RAW = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw Status.INTERNAL.withCause(e).asRuntimeException();
      }
    }
  };
  private static final Map<String, Parser<?>> PARSERS = Map.of(
      GrpcCases.PREDICT, tensorflow.serving.Predict.PredictRequest.parser(),
      GrpcCases.PREDICTION + "Classify", tensorflow.serving.Classification.ClassificationRequest.parser(),
      GrpcCases.PREDICTION + "Regress", tensorflow.serving.RegressionOuterClass.RegressionRequest.parser(),
      GrpcCases.PREDICTION + "MultiInference", tensorflow.serving.Inference.MultiInferenceRequest.parser(),
      GrpcCases.PREDICTION + "GetModelMetadata", tensorflow.serving.GetModelMetadata.GetModelMetadataRequest.parser(),
      "tensorflow.serving.ModelService/GetModelStatus", tensorflow.serving.GetModelStatus.GetModelStatusRequest.parser());

  static final int REST_TIMEOUT_MS = 30_000;
  private final int restPort;
  private final ManagedChannel channel;
  private final boolean strictParse = Boolean.getBoolean("tessera.fuzz.strictParse");

  FuzzOracle(int restPort, ManagedChannel channel) {
    this.restPort = restPort;
    this.channel = channel;
  }

  String run(FuzzCase c) {
    return c.rest() != null ? rest(c.rest()) : grpc(c.grpc());
  }

  private String rest(FuzzCase.Rest rest) {
    RawHttp.Result result;
    try {
      result = RawHttp.exchange(restPort, rest, REST_TIMEOUT_MS);
    } catch (SocketTimeoutException e) {
      return "REST hang: neither answered nor closed within " + REST_TIMEOUT_MS + " ms";
    } catch (IOException e) {
      return "REST connection failed: " + e;
    }
    for (int i = 0; i < result.responses().size(); i++) {
      RawHttp.Response r = result.responses().get(i);
      String path = i < rest.paths().size() ? rest.paths().get(i) : "?";
      // 501 is TF Serving's (libevent's) answer to a method outside its allowed set: TRACE, FOO...
      boolean methodNotImplemented = r.status() == 501 && r.bodyText().contains("Method not implemented");
      if (r.status() >= 500 && r.status() != 503 && r.status() != 504 && !methodNotImplemented) {
        return "HTTP " + r.status() + " for request #" + i + " " + abbreviate(path) + ": " + abbreviate(r.bodyText());
      }
      boolean head = i < rest.heads().size() && rest.heads().get(i);
      if (rest.wellFormed() && !head && r.status() >= 400 && path.toLowerCase().startsWith("/v1/")) {
        String problem = errorBodyProblem(r);
        if (problem != null) {
          return "HTTP " + r.status() + " as answer #" + i + " (to " + abbreviate(path) + ") " + problem
              + (rest.paths().size() > 1 ? " [pipelined: answers out of request order?]" : "");
        }
      }
    }
    if (rest.wellFormed() && result.responses().size() < rest.paths().size()) {
      boolean announced = result.responses().stream()
          .anyMatch(r -> "close".equalsIgnoreCase(r.headers().getOrDefault("connection", "")));
      if (!announced) {
        return "REST connection closed after " + result.responses().size() + " of " + rest.paths().size()
            + " answers, without Connection: close";
      }
    }
    return null;
  }

  private static String errorBodyProblem(RawHttp.Response r) {
    try {
      JsonNode body = JSON.readTree(r.body());
      if (body == null || !body.isObject() || !body.has("error")) {
        return "body is JSON but not {\"error\": ...}: " + abbreviate(r.bodyText());
      }
      return null;
    } catch (IOException e) {
      return "body is not JSON: " + abbreviate(r.bodyText());
    }
  }

  private String grpc(FuzzCase.Grpc g) {
    MethodDescriptor<byte[], byte[]> method = MethodDescriptor.newBuilder(RAW, RAW)
        .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName(g.method()).build();
    long started = System.nanoTime();
    try {
      ClientCalls.blockingUnaryCall(channel, method,
          CallOptions.DEFAULT.withDeadlineAfter(g.deadlineMs(), TimeUnit.MILLISECONDS), g.message());
      return null;
    } catch (StatusRuntimeException e) {
      Status s = e.getStatus();
      long ms = (System.nanoTime() - started) / 1_000_000;
      if (s.getCode() == Status.Code.DEADLINE_EXCEEDED && g.deadlineMs() >= 30_000) {
        return "gRPC hang: no answer within " + g.deadlineMs() + " ms (" + ms + " ms)";
      }
      if (ALLOWED.contains(s.getCode())) {
        return null;
      }
      String description = String.valueOf(s.getDescription());
      if (!strictParse && s.getCode() == Status.Code.INTERNAL && description.contains("Invalid protobuf byte sequence")
          && !parses(g)) {
        return null;
      }
      return "gRPC " + s.getCode() + ": " + abbreviate(description)
          + (s.getCause() != null ? " (cause " + s.getCause() + ")" : "");
    }
  }

  /** Whether the bytes parse as the method's request type with the stock stubs. */
  private static boolean parses(FuzzCase.Grpc g) {
    Parser<?> parser = PARSERS.get(g.method());
    if (parser == null) {
      return false;
    }
    try {
      parser.parseFrom(g.message());
      return true;
    } catch (InvalidProtocolBufferException e) {
      return false;
    }
  }

  static String abbreviate(String s) {
    String one = s.replaceAll("\\s+", " ");
    return one.length() <= 200 ? one : one.substring(0, 200) + "...";
  }
}
