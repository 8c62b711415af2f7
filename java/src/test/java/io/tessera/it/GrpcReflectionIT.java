package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * --enable_grpc_reflection serves grpc.reflection.v1 (what grpcurl asks first), so a client needs
 * no .proto files: it lists TF Serving's services and gets their descriptors. Off by default, as
 * in TF Serving (UNIMPLEMENTED).
 */
class GrpcReflectionIT {
  @Test
  void reflectionListsTfServingsServicesAndTheirDescriptors() throws Exception {
    try (TestServer server = TestServer.start("default", TestServer.shared("testdata/saved_model_half_plus_two_cpu"),
        "--enable_grpc_reflection")) {
      ServerReflectionResponse services = ask(server, ServerReflectionRequest.newBuilder().setListServices("").build());
      List<String> names = services.getListServicesResponse().getServiceList().stream().map(s -> s.getName()).toList();
      assertTrue(names.containsAll(List.of("tensorflow.serving.PredictionService", "tensorflow.serving.ModelService",
          "grpc.reflection.v1.ServerReflection")), names.toString());

      ServerReflectionResponse file = ask(server, ServerReflectionRequest.newBuilder()
          .setFileContainingSymbol("tensorflow.serving.PredictionService").build());
      List<FileDescriptorProto> files = file.getFileDescriptorResponse().getFileDescriptorProtoList().stream()
          .map(bytes -> {
            try {
              return FileDescriptorProto.parseFrom(bytes);
            } catch (com.google.protobuf.InvalidProtocolBufferException e) {
              throw new AssertionError(e);
            }
          }).toList();
      assertTrue(files.stream().anyMatch(f -> f.getServiceList().stream()
          .anyMatch(s -> s.getName().equals("PredictionService") && s.getMethodList().stream()
              .anyMatch(m -> m.getName().equals("Predict")))), files.toString());
    }
  }

  @Test
  void reflectionIsOffByDefault() throws Exception {
    try (TestServer server = TestServer.start("default", TestServer.shared("testdata/saved_model_half_plus_two_cpu"))) {
      Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
          () -> ask(server, ServerReflectionRequest.newBuilder().setListServices("").build()));
      Throwable cause = e.getCause() == null ? e : e.getCause();
      assertTrue(cause instanceof StatusRuntimeException, e.toString());
      assertEquals(Status.Code.UNIMPLEMENTED, ((StatusRuntimeException) cause).getStatus().getCode());
    }
  }

  /** One request on the bidirectional reflection stream, its one answer. */
  private static ServerReflectionResponse ask(TestServer server, ServerReflectionRequest request) throws Exception {
    CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(server.channel())
        .serverReflectionInfo(new StreamObserver<>() {
          @Override
          public void onNext(ServerReflectionResponse response) {
            answer.complete(response);
          }

          @Override
          public void onError(Throwable t) {
            answer.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {
            answer.completeExceptionally(new AssertionError("no answer"));
          }
        });
    requests.onNext(request);
    try {
      return answer.get(20, TimeUnit.SECONDS);
    } finally {
      requests.onCompleted();
    }
  }
}
