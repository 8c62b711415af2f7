package io.tessera.bench.load;

import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.tessera.proto.serving.PredictRequest;
import io.tessera.proto.serving.PredictResponse;
import io.tessera.proto.serving.PredictionServiceGrpc;
import io.tessera.transport.NettyTransport;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Transport floors: a bare Netty HTTP server answering every request with a fixed predict body,
 * and a bare grpc-java PredictionService echoing the request's inputs. No TensorFlow. The same
 * Netty/grpc-java versions and transport as the server. Usage: http|grpc port (runs until killed).
 */
public final class EchoServers {
  private static final byte[] BODY = "{\"predictions\": [2.5]}".getBytes(StandardCharsets.UTF_8);

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[1]);
    if (args[0].equals("grpc")) {
      Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
          .maxInboundMessageSize(Integer.MAX_VALUE)
          .addService(new PredictionServiceGrpc.PredictionServiceImplBase() {
            @Override
            public void predict(PredictRequest request, StreamObserver<PredictResponse> observer) {
              observer.onNext(PredictResponse.newBuilder().putAllOutputs(request.getInputsMap()).build());
              observer.onCompleted();
            }
          }).build().start();
      server.awaitTermination();
    } else {
      EventLoopGroup group = NettyTransport.eventLoopGroup(Runtime.getRuntime().availableProcessors(), "echo");
      new ServerBootstrap().group(group).channel(NettyTransport.serverChannelClass())
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(256 << 20),
                  new SimpleChannelInboundHandler<FullHttpRequest>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
                      FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                          HttpResponseStatus.OK, Unpooled.wrappedBuffer(BODY));
                      response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
                      HttpUtil.setContentLength(response, BODY.length);
                      ctx.writeAndFlush(response);
                    }
                  });
            }
          }).bind("127.0.0.1", port).sync().channel().closeFuture().sync();
    }
  }
}
