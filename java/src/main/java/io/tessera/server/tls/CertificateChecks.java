package io.tessera.server.tls;

import io.tessera.status.ServingException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Start-up checks of an SSLConfig's server certificate (pure functions of the PEM contents and,
 * for validity, the clock reading passed in): the private key must belong to the certificate, and
 * a certificate outside its validity period is worth a warning. Netty reads the PEMs itself; these
 * checks only add what it does not check (it accepts any key with any certificate and then fails
 * every handshake).
 */
final class CertificateChecks {
  private static final Pattern PKCS8 = Pattern.compile(
      "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

  private CertificateChecks() {}

  /** The first (leaf) certificate of a PEM chain. */
  static X509Certificate leaf(String certPem, String source) {
    try {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificates(
          new ByteArrayInputStream(certPem.getBytes(StandardCharsets.US_ASCII))).iterator().next();
    } catch (CertificateException | RuntimeException e) {
      throw ServingException.invalidArgument(source + ": server_cert is not a PEM X.509 certificate: " + e.getMessage());
    }
  }

  /**
   * Signs a random challenge with {@code keyPem} (PKCS#8, as Netty requires) and verifies it with
   * {@code cert}'s public key. Keys of algorithms other than RSA, EC and EdDSA are not checked.
   *
   * @throws ServingException INVALID_ARGUMENT naming {@code source} when the two do not belong together
   */
  static void checkKeyMatches(X509Certificate cert, String keyPem, String source) {
    String algorithm = cert.getPublicKey().getAlgorithm();
    String signature = switch (algorithm) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "EdDSA", "Ed25519", "Ed448" -> algorithm;
      default -> null;
    };
    if (signature == null) {
      return;
    }
    String mismatch = source + ": server_key does not match server_cert (" + cert.getSubjectX500Principal()
        + ", " + algorithm + " public key)";
    Matcher pem = PKCS8.matcher(keyPem);
    if (!pem.find()) {
      throw ServingException.invalidArgument(mismatch + ": server_key is not a PEM PKCS#8 private key");
    }
    try {
      PrivateKey key = KeyFactory.getInstance(algorithm).generatePrivate(
          new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(pem.group(1))));
      byte[] challenge = new byte[32];
      new SecureRandom().nextBytes(challenge);
      Signature signer = Signature.getInstance(signature);
      signer.initSign(key);
      signer.update(challenge);
      byte[] signed = signer.sign();
      Signature verifier = Signature.getInstance(signature);
      verifier.initVerify(cert.getPublicKey());
      verifier.update(challenge);
      if (!verifier.verify(signed)) {
        throw ServingException.invalidArgument(mismatch + ": a signature made with the key does not verify "
            + "with the certificate's public key");
      }
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw ServingException.invalidArgument(mismatch + ": " + e.getMessage());
    }
  }

  /** A warning if {@code cert} is expired or not yet valid at {@code now}, else empty. */
  static Optional<String> validityWarning(X509Certificate cert, Instant now, String source) {
    Instant from = cert.getNotBefore().toInstant();
    Instant until = cert.getNotAfter().toInstant();
    String state = now.isAfter(until) ? "has expired" : now.isBefore(from) ? "is not yet valid" : null;
    return state == null ? Optional.empty() : Optional.of(source + ": server_cert (" + cert.getSubjectX500Principal()
        + ") " + state + ": valid from " + from + " until " + until + ", now " + now
        + "; clients that check certificates will refuse TLS handshakes");
  }
}
