package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.tessera.nativebridge.NativeHandle;
import io.tessera.server.FlagParser;
import io.tessera.server.ServerFlags;
import io.tessera.server.ServerOptions;
import io.tessera.server.TesseraServer;
import io.tessera.sources.S3Settings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * A real Tessera server (real TensorFlow, real Netty and gRPC listeners on 127.0.0.1 ephemeral
 * ports) for integration tests, plus plain HTTP and gRPC clients. The gRPC client uses Camel's
 * independently generated TF Serving stubs, i.e. a stock client, not our own classes.
 * Watches the log for Netty "LEAK:" reports and native handles freed by the leak detector.
 */
public final class TestServer implements AutoCloseable {
  private static final AtomicInteger LEAK_LOG_LINES = new AtomicInteger();

  static {
    Logger.getLogger("").addHandler(new Handler() {
      @Override
      public void publish(LogRecord record) {
        String message = record.getMessage();
        if (message != null && message.contains("LEAK")) {
          LEAK_LOG_LINES.incrementAndGet();
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    });
  }

  public static final ObjectMapper JSON = new ObjectMapper();

  private final TesseraServer server;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ManagedChannel channel;

  private TestServer(TesseraServer server) {
    this.server = server;
    this.channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort())
        .usePlaintext().maxInboundMessageSize(64 << 20).build();
  }

  /** The shared test data folder beside the project ({@code ../shared}). */
  public static Path shared(String relative) {
    String dir = System.getProperty("tessera.shared.dir", "../../shared");
    return Path.of(dir).resolve(relative).toAbsolutePath().normalize();
  }

  /** Starts a server for one model; {@code extraFlags} use tensorflow_model_server syntax. */
  public static TestServer start(String modelName, Path basePath, String... extraFlags) throws Exception {
    List<String> args = new ArrayList<>(List.of("--model_name=" + modelName,
        "--model_base_path=" + basePath, "--max_num_load_retries=0", "--rest_api_num_threads=4",
        "--grpc_max_threads=4"));
    args.addAll(List.of(extraFlags));
    FlagParser.Result flags = FlagParser.parse(ServerFlags.ALL, args.toArray(new String[0]));
    return new TestServer(TesseraServer.start(ServerOptions.fromFlags(flags).withEphemeralPorts()));
  }

  /**
   * Starts a server from tensorflow_model_server flags alone (e.g. --model_config_file), polling
   * the file system (and the config file, if its poll flag is set) every {@code pollWait}.
   */
  public static TestServer startPolling(Duration pollWait, String... flags) throws Exception {
    return startPolling(pollWait, null, flags);
  }

  /**
   * As {@link #startPolling(Duration, String...)}; with {@code s3} non-null, s3:// base paths are
   * reached with those settings instead of the environment's.
   */
  public static TestServer startPolling(Duration pollWait, S3Settings s3, String... flags) throws Exception {
    List<String> args = new ArrayList<>(List.of("--max_num_load_retries=0",
        "--rest_api_num_threads=4", "--grpc_max_threads=4"));
    args.addAll(List.of(flags));
    FlagParser.Result parsed = FlagParser.parse(ServerFlags.ALL, args.toArray(new String[0]));
    if (parsed.error() != null) {
      throw new IllegalArgumentException(parsed.error());
    }
    ServerOptions options = ServerOptions.fromFlags(parsed).withEphemeralPorts();
    options = s3 == null ? options : options.withS3(s3);
    // The config file is polled only when --model_config_file_poll_wait_seconds asks for it.
    Duration configPoll = options.modelConfigPollWait().isZero() ? Duration.ZERO : pollWait;
    return new TestServer(TesseraServer.start(options.withPollWaits(pollWait, configPoll)));
  }

  /** The running server (ports, metrics listener). */
  public TesseraServer server() {
    return server;
  }

  public ManagedChannel channel() {
    return channel;
  }

  public String restBase() {
    return "http://127.0.0.1:" + server.restPort();
  }

  public HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(restBase() + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  public HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(restBase() + path))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Parses a response body that must be JSON. */
  public static JsonNode json(HttpResponse<String> response) throws IOException {
    return JSON.readTree(response.body());
  }

  /** Asserts that nothing leaked: no Netty LEAK report, no native handle freed by the GC. */
  public static void assertNoLeaks() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
      // Netty reports leaks when buffers are allocated after the leaked one was collected.
      io.netty.buffer.ByteBufAllocator.DEFAULT.buffer(1024).release();
    }
    assertEquals(0, LEAK_LOG_LINES.get(), "Netty reported leaked buffers (see log)");
    assertEquals(0, NativeHandle.leakCount(), "native handles were freed by the GC, not closed");
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.close();
  }
}
