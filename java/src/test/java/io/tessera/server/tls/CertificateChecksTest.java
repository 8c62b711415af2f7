package io.tessera.server.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.status.ServingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateChecksTest {
  /** {certificate PEM, key PEM} of a fresh self-signed certificate. */
  private static String[] selfSigned(Path dir, String name, String... keyOptions) throws Exception {
    List<String> args = new ArrayList<>(List.of("req", "-x509", "-nodes", "-days", "2", "-subj", "/CN=" + name));
    args.addAll(List.of(keyOptions));
    args.addAll(List.of("-keyout", name + ".key", "-out", name + ".crt"));
    TestCertificates.openssl(dir, args.toArray(new String[0]));
    return new String[] {Files.readString(dir.resolve(name + ".crt")), Files.readString(dir.resolve(name + ".key"))};
  }

  @Test
  void matchingKeysPassAndOthersAreNamed(@TempDir Path dir) throws Exception {
    String[] rsa = selfSigned(dir, "rsa", "-newkey", "rsa:2048");
    String[] otherRsa = selfSigned(dir, "rsa2", "-newkey", "rsa:2048");
    String[] ec = selfSigned(dir, "ec", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256");
    String[] otherEc = selfSigned(dir, "ec2", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256");
    X509Certificate rsaCert = CertificateChecks.leaf(rsa[0], "ssl.txt");
    X509Certificate ecCert = CertificateChecks.leaf(ec[0], "ssl.txt");
    CertificateChecks.checkKeyMatches(rsaCert, rsa[1], "ssl.txt");
    CertificateChecks.checkKeyMatches(ecCert, ec[1], "ssl.txt");
    for (var wrong : new Object[][] {{rsaCert, otherRsa[1]}, {rsaCert, ec[1]}, {ecCert, otherEc[1]}, {ecCert, rsa[1]}}) {
      ServingException e = assertThrows(ServingException.class,
          () -> CertificateChecks.checkKeyMatches((X509Certificate) wrong[0], (String) wrong[1], "SSL config /x/ssl.txt"));
      assertTrue(e.getMessage().startsWith("SSL config /x/ssl.txt: server_key does not match server_cert"), e.getMessage());
    }
  }

  @Test
  void validityWarningsGiveTheDates(@TempDir Path dir) throws Exception {
    X509Certificate cert = CertificateChecks.leaf(selfSigned(dir, "rsa", "-newkey", "rsa:2048")[0], "s");
    Instant from = cert.getNotBefore().toInstant();
    Instant until = cert.getNotAfter().toInstant();
    assertEquals(Optional.empty(), CertificateChecks.validityWarning(cert, from.plusSeconds(60), "s"));
    String expired = CertificateChecks.validityWarning(cert, until.plusSeconds(1), "s").orElseThrow();
    assertTrue(expired.contains("has expired: valid from " + from + " until " + until), expired);
    assertTrue(CertificateChecks.validityWarning(cert, from.minusSeconds(1), "s").orElseThrow()
        .contains("is not yet valid"));
  }
}
