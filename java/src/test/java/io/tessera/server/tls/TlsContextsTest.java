package io.tessera.server.tls;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.status.ServingException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsContextsTest {
  @Test
  void buildsBothContextsFromAGoodConfig(@TempDir Path dir) throws Exception {
    TestCertificates certs = TestCertificates.create(dir);
    Path file = Files.writeString(dir.resolve("ssl.txt"), certs.sslConfig(true));
    TlsContexts tls = TlsContexts.fromFile(file);
    assertTrue(tls.mutual());
    assertNotNull(tls.grpc());
    assertNotNull(tls.rest());
  }

  @Test
  void malformedConfigsAreClearErrorsNotCrashes(@TempDir Path dir) throws Exception {
    Path garbage = Files.writeString(dir.resolve("bad.txt"), "server_key: \"unterminated");
    assertTrue(assertThrows(ServingException.class, () -> TlsContexts.fromFile(garbage)).getMessage()
        .contains("Error parsing text-format tensorflow.serving.SSLConfig"));
    Path notPem = Files.writeString(dir.resolve("notpem.txt"), "server_key: \"x\" server_cert: \"y\"");
    assertTrue(assertThrows(ServingException.class, () -> TlsContexts.fromFile(notPem)).getMessage()
        .contains("server_cert is not a PEM X.509 certificate"));
    TestCertificates certs = TestCertificates.create(dir);
    Path noCa = Files.writeString(dir.resolve("noca.txt"), "server_key: \"" + certs.serverKey().replace("\n", "\\n")
        + "\" server_cert: \"" + certs.serverCert().replace("\n", "\\n") + "\" client_verify: true");
    assertTrue(assertThrows(ServingException.class, () -> TlsContexts.fromFile(noCa)).getMessage()
        .contains("custom_ca"));
  }
}
