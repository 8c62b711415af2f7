package io.tessera.fuzz;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.tessera.it.ServerProcess;
import io.tessera.it.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The server under fuzz: bin/tensorflow_model_server in its own JVM (-XX:MaxRAM=2g, Netty leak
 * detection "advanced") serving half_plus_two, mobilenet and "image" (mobilenet plus
 * tessera_image.json), with a gRPC channel and an oracle bound to it. {@link #restart} replaces a
 * dead process; {@link #close} stops the process on every path (ServerProcess: SIGTERM, SIGKILL).
 */
final class FuzzServer implements AutoCloseable {
  static final String JAVA_OPTS = "-XX:MaxRAM=2g -Dio.netty.leakDetection.level=advanced";
  private final Path config;
  private ServerProcess process;
  private ManagedChannel channel;
  private FuzzOracle oracle;
  private long maxPeakRss;
  private int generation;
  private final StringBuilder deadOutput = new StringBuilder();

  FuzzServer(Path dir) throws Exception {
    this.config = writeConfig(dir);
    start();
  }

  private void start() throws Exception {
    process = ServerProcess.start(JAVA_OPTS, "/readyz", "--model_config_file=" + config);
    channel = NettyChannelBuilder.forAddress("127.0.0.1", process.grpcPort()).usePlaintext()
        .maxInboundMessageSize(64 << 20).build();
    oracle = new FuzzOracle(process.restPort(), channel);
  }

  synchronized ServerProcess process() {
    return process;
  }

  synchronized ManagedChannel channel() {
    return channel;
  }

  synchronized FuzzOracle oracle() {
    return oracle;
  }

  /** How many times the server was restarted: a case ran on one process if this did not change. */
  synchronized int generation() {
    return generation;
  }

  synchronized boolean alive() {
    return process.process().isAlive();
  }

  /** Peak RSS (VmHWM) of the current process, or -1 once it is gone; the max is remembered. */
  synchronized long peakRss() {
    try {
      maxPeakRss = Math.max(maxPeakRss, process.peakRssBytes());
    } catch (Exception gone) {
      return -1;
    }
    return maxPeakRss;
  }

  /** The largest peak RSS seen over every process this run started. */
  synchronized long maxPeakRss() {
    peakRss();
    return maxPeakRss;
  }

  /** Starts a fresh process if the current one is dead (keeps the dead one's last output). */
  synchronized void restartIfDead() throws Exception {
    if (alive()) {
      return;
    }
    deadOutput.append(tail(process.output(), 3000)).append("\n---\n");
    closeCurrent();
    start();
    generation++;
  }

  /** The output of processes that died (tails), then the current process's output. */
  synchronized String output() throws Exception {
    return deadOutput + process.output();
  }

  private void closeCurrent() throws Exception {
    try {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    } finally {
      process.close();
    }
  }

  @Override
  public synchronized void close() throws Exception {
    closeCurrent();
  }

  /** A model config with the three models; the image model's directory is set up in dir. */
  static Path writeConfig(Path dir) throws Exception {
    Path image = Files.createDirectories(dir.resolve("image"));
    Path mobilenet = TestServer.shared("models/mobilenet_v2");
    Files.createSymbolicLink(image.resolve("1"), mobilenet.resolve("1"));
    Files.createSymbolicLink(image.resolve("labels.txt"), mobilenet.resolve("labels.txt"));
    Files.writeString(image.resolve("tessera_image.json"),
        "{\"value\": {\"scale\": 0.00784313725490196, \"offset\": -1}, \"labels_file\": \"labels.txt\"}");
    String entry = "  config { name: \"%s\" base_path: \"%s\" model_platform: \"tensorflow\" }\n";
    Path config = dir.resolve("models.config");
    Files.writeString(config, "model_config_list {\n"
        + entry.formatted(FuzzCases.HALF_PLUS_TWO, TestServer.shared("testdata/saved_model_half_plus_two_cpu"))
        + entry.formatted(FuzzCases.MOBILENET, mobilenet)
        + entry.formatted(FuzzCases.IMAGE, image) + "}\n");
    return config;
  }

  static String tail(String s, int n) {
    return s.length() <= n ? s : s.substring(s.length() - n);
  }
}
