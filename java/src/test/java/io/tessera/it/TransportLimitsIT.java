package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tensorflow.serving.Model.ModelSpec;
import tensorflow.serving.Predict.PredictRequest;
import tensorflow.serving.PredictionServiceGrpc;

/** --rest_api_timeout_in_ms, --grpc_channel_arguments and --grpc_socket_path on a real server. */
class TransportLimitsIT {
  @Test
  void restTimeoutBecomesA504FromTensorFlowsDeadline() throws Exception {
    try (TestServer server = TestServer.start("mobilenet", TestServer.shared("models/mobilenet_v2"),
        "--rest_api_timeout_in_ms=1")) {
      float[] image = MobilenetIT.preprocess(TestServer.shared("images/coffee.jpg"));
      StringBuilder body = new StringBuilder("{\"instances\": [");
      for (int i = 0; i < 4; i++) {
        body.append(i == 0 ? "" : ",").append("{\"images\": ").append(MobilenetIT.nested(image)).append("}");
      }
      HttpResponse<String> r = server.post("/v1/models/mobilenet:predict", body.append("]}").toString());
      assertEquals(504, r.statusCode(), r.body());
      assertTrue(TestServer.json(r).has("error"), r.body());
      assertEquals(200, server.get("/v1/models/mobilenet").statusCode(), "server healthy after a deadline");
    }
  }

  @Test
  void grpcChannelArgumentsApply() throws Exception {
    try (TestServer server = TestServer.start("default", TestServer.shared("testdata/saved_model_half_plus_two_cpu"),
        "--grpc_channel_arguments=grpc.max_receive_message_length=2000,grpc.some_core_only_arg=1")) {
      PredictionServiceGrpc.PredictionServiceBlockingStub stub = PredictionServiceGrpc.newBlockingStub(server.channel());
      assertEquals(1, stub.predict(request(1)).getOutputsOrThrow("y").getFloatValCount());
      StatusRuntimeException tooBig = assertThrows(StatusRuntimeException.class, () -> stub.predict(request(1000)));
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, tooBig.getStatus().getCode());
    }
  }

  @Test
  void grpcAlsoListensOnAUnixSocket(@TempDir Path dir) throws Exception {
    Path socket = dir.resolve("tessera.sock");
    try (TestServer server = TestServer.start("default", TestServer.shared("testdata/saved_model_half_plus_two_cpu"),
        "--grpc_socket_path=" + socket)) {
      EpollEventLoopGroup group = new EpollEventLoopGroup(1);
      ManagedChannel channel = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
          .eventLoopGroup(group).channelType(EpollDomainSocketChannel.class).usePlaintext().build();
      try {
        assertEquals(2.5f, PredictionServiceGrpc.newBlockingStub(channel).predict(request(1))
            .getOutputsOrThrow("y").getFloatVal(0));
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        group.shutdownGracefully().sync();
      }
    }
  }

  private static PredictRequest request(int n) {
    float[] values = new float[n];
    java.util.Arrays.fill(values, 1f);
    return PredictRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName("default"))
        .putInputs("x", HalfPlusTwoIT.floats(values)).build();
  }
}
