package io.tessera.it;

import io.tessera.sources.S3Settings;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A real S3 API server for the tests: s3proxy with jclouds' filesystem (nio2) backend under a temporary
 * directory, on 127.0.0.1, signatures checked (AWS v2 or v4) with one test key pair, in its own
 * JVM (its self-contained jar, which the build copies; its libraries never meet ours); plus an AWS
 * SDK client that uploads and deletes as an operator would. {@link #stop} and {@link #start}
 * simulate the server going down and coming back on the same port, with its data.
 */
final class S3Fixture implements AutoCloseable {
  static final String ACCESS_KEY = "tessera-test-key";
  static final String SECRET_KEY = "tessera-test-secret";
  private static final Path JAR = Path.of(System.getProperty("tessera.s3proxy.jar", "target/s3proxy/s3proxy.jar"));

  private final Path dataDir;
  private final int port;
  private Process proxy;
  private final S3Client client;

  S3Fixture(Path dataDir) throws Exception {
    this.dataDir = dataDir;
    this.port = ServerProcess.freePort();
    start();
    client = S3Client.builder().endpointOverride(endpoint()).region(Region.US_EAST_1).forcePathStyle(true)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .httpClient(UrlConnectionHttpClient.create()).build();
  }

  /** Starts the server (again, on the same port and data) and waits until it accepts connections. */
  void start() throws Exception {
    Path blobs = Files.createDirectories(dataDir.resolve("blobs"));
    Properties p = new Properties();
    p.setProperty("s3proxy.endpoint", endpoint().toString());
    p.setProperty("s3proxy.authorization", "aws-v2-or-v4");
    p.setProperty("s3proxy.identity", ACCESS_KEY);
    p.setProperty("s3proxy.credential", SECRET_KEY);
    // filesystem-nio2: the older "filesystem" backend stalls ~10 s on deletes that empty a directory.
    p.setProperty("jclouds.provider", "filesystem-nio2");
    p.setProperty("jclouds.identity", ACCESS_KEY);
    p.setProperty("jclouds.credential", SECRET_KEY);
    p.setProperty("jclouds.filesystem.basedir", blobs.toString());
    Path config = dataDir.resolve("s3proxy.properties");
    try (var out = Files.newOutputStream(config)) {
      p.store(out, "S3Fixture");
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    proxy = new ProcessBuilder(java, "-Xmx256m", "-jar", JAR.toString(), "--properties", config.toString())
        .redirectErrorStream(true).redirectOutput(dataDir.resolve("s3proxy.log").toFile()).start();
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (true) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException notYet) {
        if (!proxy.isAlive() || System.nanoTime() > deadline) {
          stop();
          throw new IllegalStateException("s3proxy did not start: " + Files.readString(dataDir.resolve("s3proxy.log")));
        }
        Thread.sleep(100);
      }
    }
  }

  /** Stops the server: connections are refused until {@link #start}. */
  void stop() throws Exception {
    proxy.destroy();
    if (!proxy.waitFor(10, TimeUnit.SECONDS)) {
      proxy.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** What the server under test is given: this endpoint, path-style, the cache under {@code cacheDir}. */
  S3Settings settings(Path cacheDir) {
    return new S3Settings(endpoint(), true, true, "us-east-1", cacheDir);
  }

  S3Client client() {
    return client;
  }

  void createBucket(String bucket) {
    client.createBucket(b -> b.bucket(bucket));
  }

  /** Uploads every file under {@code dir} to {@code bucket/prefix/<relative path>}. */
  void uploadTree(Path dir, String bucket, String prefix) throws IOException {
    for (Path file : files(dir)) {
      upload(file, bucket, prefix + "/" + dir.relativize(file).toString().replace('\\', '/'));
    }
  }

  /** Uploads the files of {@code dir} whose relative path is in {@code only}. */
  void uploadSome(Path dir, String bucket, String prefix, List<String> only) throws IOException {
    for (String relative : only) {
      upload(dir.resolve(relative), bucket, prefix + "/" + relative);
    }
  }

  void upload(Path file, String bucket, String key) {
    client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromFile(file));
  }

  void put(String bucket, String key, String content) {
    client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(content));
  }

  /** Deletes every object under {@code bucket/prefix/}. */
  void deletePrefix(String bucket, String prefix) {
    for (S3Object o : client.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix + "/")).contents()) {
      client.deleteObject(b -> b.bucket(bucket).key(o.key()));
    }
  }

  static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      return paths.filter(Files::isRegularFile).sorted().toList();
    }
  }

  @Override
  public void close() throws Exception {
    client.close();
    stop();
  }
}
