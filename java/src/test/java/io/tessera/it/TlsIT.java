package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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

/** --ssl_config_file: TLS and mutual TLS on gRPC (as TF Serving) and on REST, with real handshakes. */
class TlsIT {
  private static final String PREDICT = "{\"instances\": [1.0, 2.0, 5.0]}";

  @Test
  void tlsOnBothApis(@TempDir Path dir) throws Exception {
    TestCertificates certs = TestCertificates.create(dir);
    Path config = Files.writeString(dir.resolve("ssl.json.txt"), certs.sslConfig(false));
    try (TestServer server = TestServer.start("default", TestServer.shared("testdata/saved_model_half_plus_two_cpu"),
        "--ssl_config_file=" + config)) {
      assertEquals(200, https(server, sslContext(certs, false)).statusCode());
      assertThrows(IOException.class, () -> server.post("/v1/models/default:predict", PREDICT),
          "plain HTTP must not be served on a TLS port");
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
        "--ssl_config_file=" + config)) {
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
