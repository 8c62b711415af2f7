package io.tessera.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bin/tensorflow_model_server} in its own JVM, for tests that measure the process: resident
 * memory (VmRSS, and the peak VmHWM, which {@link #resetPeakRss()} restarts) from
 * {@code /proc/<pid>/status}, exit codes, log output. {@code -XX:MaxRAM=2g} in the JVM options
 * simulates a 2 GiB container: the launcher then also reads a 2 GiB cgroup memory limit. Ports are chosen free before start; the
 * process is stopped (SIGTERM, then SIGKILL) by {@link #close()} on every exit path.
 */
public final class ServerProcess implements AutoCloseable {
  private static final Pattern MAX_RAM = Pattern.compile("-XX:MaxRAM=(\\d+)([kKmMgG]?)");
  private static final Path REPO = Path.of(System.getProperty("tessera.repo.dir", "..")).toAbsolutePath().normalize();

  private final Process process;
  private final Path log;
  private final int grpcPort;
  private final int restPort;

  private ServerProcess(Process process, Path log, int grpcPort, int restPort) {
    this.process = process;
    this.log = log;
    this.grpcPort = grpcPort;
    this.restPort = restPort;
  }

  /**
   * Starts the server with TF Serving flags (ports are added) and extra JVM options (passed as
   * TESSERA_JAVA_OPTS, e.g. "-XX:MaxRAM=2g"), and waits until {@code readyPath} answers 200.
   */
  public static ServerProcess start(String javaOpts, String readyPath, String... flags) throws Exception {
    return start(Map.of(), javaOpts, readyPath, flags);
  }

  /** As {@link #start(String, String, String...)} with extra environment variables. */
  public static ServerProcess start(Map<String, String> env, String javaOpts, String readyPath, String... flags)
      throws Exception {
    ServerProcess server = launch(env, javaOpts, flags);
    try {
      server.awaitReady(readyPath, Duration.ofSeconds(90));
    } catch (Throwable e) {
      server.close();
      throw e;
    }
    return server;
  }

  /** Starts the server without waiting for it to be ready (tests of what start-up reports). */
  public static ServerProcess launch(Map<String, String> env, String javaOpts, String... flags) throws Exception {
    int grpc = freePort();
    int rest = freePort();
    List<String> command = new ArrayList<>(List.of(REPO.resolve("bin/tensorflow_model_server").toString(),
        "--port=" + grpc, "--rest_api_port=" + rest, "--rest_api_bind_address=127.0.0.1",
        "--grpc_bind_address=127.0.0.1", "--max_num_load_retries=0"));
    command.addAll(List.of(flags));
    Path log = Files.createTempFile("tessera-process", ".log");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(env);
    builder.environment().put("TESSERA_JAVA_OPTS", javaOpts);
    Matcher maxRam = MAX_RAM.matcher(javaOpts);
    if (maxRam.find()) {
      // A container of that size: the JVM sizes its heap from -XX:MaxRAM, and the launcher sizes
      // direct memory from the cgroup limit it reads under TESSERA_CGROUP_ROOT.
      Path cgroup = Files.createTempDirectory("tessera-cgroup");
      Path limit = Files.writeString(cgroup.resolve("memory.max"), Long.toString(bytes(maxRam.group(1), maxRam.group(2))));
      cgroup.toFile().deleteOnExit();  // runs after the file's own deleteOnExit (reverse order)
      limit.toFile().deleteOnExit();
      builder.environment().put("TESSERA_CGROUP_ROOT", cgroup.toString());
    }
    return new ServerProcess(builder.start(), log, grpc, rest);
  }

  private void awaitReady(String path, Duration limit) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline && process.isAlive()) {
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(restBase() + path))
            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException notUpYet) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new AssertionError("server did not come up within " + limit.toSeconds() + " s: " + output());
  }

  public Process process() {
    return process;
  }

  public long pid() {
    return process.pid();
  }

  public int grpcPort() {
    return grpcPort;
  }

  public int restPort() {
    return restPort;
  }

  public String restBase() {
    return "http://127.0.0.1:" + restPort;
  }

  /** Everything the process has printed so far. */
  public String output() throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }

  /** Bytes of log written so far. */
  public long outputBytes() throws IOException {
    return Files.size(log);
  }

  /** Resident memory now (VmRSS), in bytes. */
  public long rssBytes() throws IOException {
    return statusKb("VmRSS:") * 1024;
  }

  /** Peak resident memory since start or the last {@link #resetPeakRss()} (VmHWM), in bytes. */
  public long peakRssBytes() throws IOException {
    return statusKb("VmHWM:") * 1024;
  }

  /** Restarts the peak (writes 5 to /proc/pid/clear_refs). */
  public void resetPeakRss() throws IOException {
    Files.writeString(Path.of("/proc/" + pid() + "/clear_refs"), "5");
  }

  private long statusKb(String field) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid() + "/status"))) {
      if (line.startsWith(field)) {
        return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
      }
    }
    throw new IOException(field + " not in /proc/" + pid() + "/status");
  }

  private static long bytes(String number, String unit) {
    long n = Long.parseLong(number);
    return switch (unit.toLowerCase()) {
      case "k" -> n << 10;
      case "m" -> n << 20;
      case "g" -> n << 30;
      default -> n;
    };
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** SIGTERM, up to 30 s to stop, then SIGKILL; the log file is deleted. */
  @Override
  public void close() throws Exception {
    try {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } finally {
      Files.deleteIfExists(log);
    }
  }
}
