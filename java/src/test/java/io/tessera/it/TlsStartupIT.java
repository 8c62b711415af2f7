package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.server.tls.TestCertificates;
import io.tessera.status.ServingException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SSLConfig start-up checks (--ssl_config_file, as TF Serving's model_servers/server.cc reads it, and
 * Tessera's --rest_api_ssl_config_file / --metrics_ssl_config_file): a key that is not the
 * certificate's fails naming the file, an expired certificate warns.
 */
class TlsStartupIT {
  private static final Path MODEL = TestServer.shared("testdata/saved_model_half_plus_two_cpu");

  @Test
  void aKeyThatDoesNotMatchTheCertificateFailsStartupNamingTheFile(@TempDir Path dir) throws Exception {
    TestCertificates certs = TestCertificates.create(dir);
    String clientKey = Files.readString(certs.clientKeyFile());
    Path config = Files.writeString(dir.resolve("ssl.txt"),
        TestCertificates.sslConfig(clientKey, certs.serverCert(), certs.caCert(), false));
    ServingException e = assertThrows(ServingException.class,
        () -> TestServer.start("default", MODEL, "--ssl_config_file=" + config));
    System.out.println("TlsStartupIT: " + e.getMessage());
    assertTrue(e.getMessage().startsWith("SSL config " + config + ": server_key does not match server_cert"),
        e.getMessage());
  }

  @Test
  void aBadRestOrMetricsSslConfigFailsStartupNamingTheFile(@TempDir Path dir) throws Exception {
    TestCertificates certs = TestCertificates.create(dir);
    Path bad = Files.writeString(dir.resolve("bad.txt"), TestCertificates.sslConfig(
        Files.readString(certs.clientKeyFile()), certs.serverCert(), certs.caCert(), false));
    Path empty = Files.writeString(dir.resolve("empty.txt"), "client_verify: false\n");
    ServingException rest = assertThrows(ServingException.class,
        () -> TestServer.start("default", MODEL, "--rest_api_ssl_config_file=" + bad));
    assertTrue(rest.getMessage().startsWith("SSL config " + bad + ": server_key does not match server_cert"),
        rest.getMessage());
    ServingException metrics = assertThrows(ServingException.class, () -> TestServer.start("default", MODEL,
        "--enable_metrics", "--metrics_address=127.0.0.1:0", "--metrics_ssl_config_file=" + empty));
    assertTrue(metrics.getMessage().startsWith("SSL config " + empty + " must set server_key and server_cert"),
        metrics.getMessage());
  }

  @Test
  void anExpiredCertificateStartsWithAWarningGivingTheDates(@TempDir Path dir) throws Exception {
    Path config = Files.writeString(dir.resolve("ssl.txt"), TestCertificates.expiredSslConfig(dir));
    try (LogCapture log = new LogCapture();
        TestServer server = TestServer.start("default", MODEL, "--ssl_config_file=" + config)) {
      String warning = log.first("SSL config " + config + ": server_cert");
      System.out.println("TlsStartupIT: " + warning);
      assertTrue(warning.contains("has expired: valid from 2020-01-01T00:00:00Z until 2020-01-02T00:00:00Z"), warning);
      assertEquals(1, log.count("has expired"));
      assertTrue(server.server().restPort() > 0);
    }
  }
}
