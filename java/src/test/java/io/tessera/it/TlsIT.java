package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContextBuilder;
import io.tessera.server.tls.TestCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tensorflow.serving.Model.ModelSpec;
import tensorflow.serving.Predict.PredictRequest;
import tensorflow.serving.PredictionServiceGrpc;

/**
 * TLS and mutual TLS with real handshakes. --ssl_config_file is gRPC's only, as in TF Serving
 * (model_servers/server.cc: SslServerCredentials go to the gRPC builder; the HTTP server of
 * model_servers/http_server.cc has no TLS), so REST stays plain HTTP; --rest_api_ssl_config_file
 * and --metrics_ssl_config_file (Tessera's) put REST and the --enable_metrics listener on TLS.
 */
class TlsIT {
  private static final String PREDICT = "{\"instances\": [1.0, 2.0, 5.0]}";

  @Test
  void sslConfigFileAloneLeavesRestAndMetricsInPlainHttp(@TempDir Path dir) throws Exception {
    TestCertificates certs = TestCertificates.create(dir);
    Path config = Files.writeString(dir.resolve("ssl.txt"), certs.sslConfig(false));
    try (TestServer server = TestServer.start("default", TestServer.shared("testdata/saved_model_half_plus_two_cpu"),
        "--ssl_config_file=" + config, "--enable_metrics", "--metrics_address=127.0.0.1:0")) {
      assertEquals(200, server.post("/v1/models/default:predict", PREDICT).statusCode(), "REST stays plain HTTP");
      assertThrows(IOException.class, () -> https(server, sslContext(certs, false)), "REST must not speak TLS");
      assertEquals(200, HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + server.server().metricsPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
      assertThrows(StatusRuntimeException.class, () -> predict(server.channel()), "gRPC must need TLS");
      ManagedChannel channel = channel(server, certs, false);
      try {
        assertEquals(3, predict(channel).getOutputsOrThrow("y").getFloatValCount());
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void tlsOnAllListenersWithTheirOwnFlags(@TempDir Path dir) throws Exception {
    TestCertificates certs = TestCertificates.create(dir);
    Path config = Files.writeString(dir.resolve("ssl.json.txt"), certs.sslConfig(false));
    try (TestServer server = TestServer.start("default", TestServer.shared("testdata/saved_model_half_plus_two_cpu"),
        "--ssl_config_file=" + config, "--rest_api_ssl_config_file=" + config,
        "--enable_metrics", "--metrics_address=127.0.0.1:0", "--metrics_ssl_config_file=" + config)) {
      assertEquals(200, https(server, sslContext(certs, false)).statusCode());
      assertThrows(IOException.class, () -> server.post("/v1/models/default:predict", PREDICT),
          "plain HTTP must not be served on a TLS port");
      String metrics = "127.0.0.1:" + server.server().metricsPort() + "/metrics";
      assertEquals(200, HttpClient.newBuilder().sslContext(sslContext(certs, false)).build().send(
          HttpRequest.newBuilder(URI.create("https://" + metrics)).build(), HttpResponse.BodyHandlers.ofString())
          .statusCode());
      assertThrows(IOException.class, () -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://" + metrics)).build(), HttpResponse.BodyHandlers.ofString()));
      ManagedChannel channel = channel(server, certs, false);
      try {
        assertEquals(3, predict(channel).getOutputsOrThrow("y").getFloatValCount());
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void mutualTlsRequiresAClientCertificate(@TempDir Path dir) throws Exception {
    TestCertificates certs = TestCertificates.create(dir);
    Path config = Files.writeString(dir.resolve("ssl.txt"), certs.sslConfig(true));
    try (TestServer server = TestServer.start("default", TestServer.shared("testdata/saved_model_half_plus_two_cpu"),
        "--ssl_config_file=" + config, "--rest_api_ssl_config_file=" + config)) {
      assertEquals(200, https(server, sslContext(certs, true)).statusCode());
      assertThrows(IOException.class, () -> https(server, sslContext(certs, false)));
      ManagedChannel withCert = channel(server, certs, true);
      ManagedChannel withoutCert = channel(server, certs, false);
      try {
        assertEquals(3, predict(withCert).getOutputsOrThrow("y").getFloatValCount());
        assertThrows(StatusRuntimeException.class, () -> predict(withoutCert));
      } finally {
        withCert.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        withoutCert.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void everyTlsPortOffersOnlyEcdheWithAeadOnTls12And13(@TempDir Path dir) throws Exception {
    TestCertificates certs = TestCertificates.create(dir);
    Path config = Files.writeString(dir.resolve("ssl.txt"), certs.sslConfig(false));
    try (TestServer server = TestServer.start("default", TestServer.shared("testdata/saved_model_half_plus_two_cpu"),
        "--ssl_config_file=" + config, "--rest_api_ssl_config_file=" + config,
        "--enable_metrics", "--metrics_address=127.0.0.1:0", "--metrics_ssl_config_file=" + config)) {
      for (String port : new String[] {"rest " + server.server().restPort(), "grpc " + server.server().grpcPort(),
          "metrics " + server.server().metricsPort()}) {
        String[] alpn = port.startsWith("grpc") ? new String[] {"-alpn", "h2"} : new String[] {"-alpn", "http/1.1"};
        int number = Integer.parseInt(port.split(" ")[1]);
        for (String refused : new String[] {"AES128-SHA", "AES128-GCM-SHA256", "ECDHE-RSA-AES128-SHA",
            "ECDHE-RSA-AES256-SHA384", "DHE-RSA-AES128-GCM-SHA256"}) {
          assertEquals("refused", handshake(number, alpn, "-tls1_2", "-cipher", refused), port + " " + refused);
        }
        assertEquals("refused", handshake(number, alpn, "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"), port + " TLS 1.1");
        for (String accepted : new String[] {"ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384",
            "ECDHE-RSA-CHACHA20-POLY1305"}) {
          assertEquals("TLSv1.2 " + accepted, handshake(number, alpn, "-tls1_2", "-cipher", accepted), port);
        }
        for (String accepted : new String[] {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256"}) {
          assertEquals("TLSv1.3 " + accepted, handshake(number, alpn, "-tls1_3", "-ciphersuites", accepted), port);
        }
      }
    }
  }

  /** "PROTOCOL CIPHER" of an openssl s_client handshake with 127.0.0.1:{@code port}, or "refused". */
  private static String handshake(int port, String[] alpn, String... options) throws Exception {
    java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("openssl", "s_client",
        "-connect", "127.0.0.1:" + port, "-servername", "localhost"));
    command.addAll(java.util.List.of(alpn));
    command.addAll(java.util.List.of(options));
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "openssl s_client hung");
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("New, (TLSv[0-9.]+), Cipher is (\\S+)").matcher(out);
    return p.exitValue() == 0 && m.find() && !m.group(2).equals("(NONE)") ? m.group(1) + " " + m.group(2) : "refused";
  }

  private static HttpResponse<String> https(TestServer server, SSLContext ssl) throws Exception {
    HttpClient client = HttpClient.newBuilder().sslContext(ssl).build();
    String url = server.restBase().replace("http://", "https://") + "/v1/models/default:predict";
    return client.send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(PREDICT)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static SSLContext sslContext(TestCertificates certs, boolean withClientCert) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream ca = Files.newInputStream(certs.caCertFile())) {
      trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(ca));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    KeyManagerFactory kmf = null;
    if (withClientCert) {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(certs.clientKeyStore())) {
        keys.load(in, "changeit".toCharArray());
      }
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, "changeit".toCharArray());
    }
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return ssl;
  }

  private static ManagedChannel channel(TestServer server, TestCertificates certs, boolean withClientCert)
      throws Exception {
    SslContextBuilder tls = GrpcSslContexts.forClient().trustManager(certs.caCertFile().toFile());
    if (withClientCert) {
      tls.keyManager(certs.clientCertFile().toFile(), certs.clientKeyFile().toFile());
    }
    return NettyChannelBuilder.forAddress("localhost", server.server().grpcPort()).sslContext(tls.build()).build();
  }

  private static tensorflow.serving.Predict.PredictResponse predict(ManagedChannel channel) {
    return PredictionServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .predict(PredictRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName("default"))
            .putInputs("x", HalfPlusTwoIT.floats(1f, 2f, 5f)).build());
  }
}
