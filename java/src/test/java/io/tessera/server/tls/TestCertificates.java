package io.tessera.server.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A throwaway CA, a server certificate for 127.0.0.1/localhost and a client certificate, made with openssl. */
public record TestCertificates(Path dir, String caCert, String serverCert, String serverKey,
    Path clientCertFile, Path clientKeyFile, Path caCertFile) {

  public static TestCertificates create(Path dir) throws IOException, InterruptedException {
    openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=tessera-test-ca",
        "-keyout", "ca.key", "-out", "ca.crt");
    issue(dir, "server", "/CN=localhost", "subjectAltName=IP:127.0.0.1,DNS:localhost");
    issue(dir, "client", "/CN=tessera-test-client", "extendedKeyUsage=clientAuth");
    openssl(dir, "pkcs12", "-export", "-in", "client.crt", "-inkey", "client.key", "-out", "client.p12",
        "-passout", "pass:changeit");
    return new TestCertificates(dir, Files.readString(dir.resolve("ca.crt")), Files.readString(dir.resolve("server.crt")),
        Files.readString(dir.resolve("server.key")), dir.resolve("client.crt"), dir.resolve("client.key"),
        dir.resolve("ca.crt"));
  }

  /** The client certificate and key as a PKCS#12 key store (password "changeit"). */
  public Path clientKeyStore() {
    return dir.resolve("client.p12");
  }

  /** An SSLConfig text proto with these PEM contents. */
  public String sslConfig(boolean clientVerify) {
    return sslConfig(serverKey, serverCert, caCert, clientVerify);
  }

  /** An SSLConfig text proto with the given PEM contents. */
  public static String sslConfig(String key, String cert, String ca, boolean clientVerify) {
    return "server_key: " + quote(key) + "\nserver_cert: " + quote(cert)
        + "\ncustom_ca: " + quote(ca) + "\nclient_verify: " + clientVerify + "\n";
  }

  /**
   * A self-signed certificate for localhost valid only on 2020-01-01 (expired) and its key, as an
   * SSLConfig text proto ({@code openssl ca}, since {@code req -days} cannot go back in time).
   */
  public static String expiredSslConfig(Path dir) throws IOException, InterruptedException {
    Path ca = Files.createDirectories(dir.resolve("expired-ca"));
    Files.writeString(ca.resolve("index.txt"), "");
    Files.writeString(ca.resolve("serial"), "01\n");
    Files.writeString(ca.resolve("ca.cnf"), "[ca]\ndefault_ca = d\n[d]\ndatabase = index.txt\n"
        + "new_certs_dir = .\nserial = serial\ndefault_md = sha256\npolicy = p\nunique_subject = no\n"
        + "[p]\ncommonName = supplied\n");
    openssl(ca, "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "expired.key",
        "-out", "expired.csr");
    openssl(ca, "ca", "-batch", "-config", "ca.cnf", "-selfsign", "-keyfile", "expired.key", "-in", "expired.csr",
        "-startdate", "20200101000000Z", "-enddate", "20200102000000Z", "-out", "expired.crt");
    String cert = Files.readString(ca.resolve("expired.crt"));
    return sslConfig(Files.readString(ca.resolve("expired.key")), cert, cert, false);
  }

  private static String quote(String pem) {
    return "\"" + pem.replace("\n", "\\n") + "\"";
  }

  private static void issue(Path dir, String name, String subject, String extension)
      throws IOException, InterruptedException {
    openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-subj", subject, "-keyout", name + ".key", "-out", name + ".csr");
    Files.writeString(dir.resolve(name + ".ext"), extension + "\n");
    openssl(dir, "x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
        "-days", "2", "-extfile", name + ".ext", "-out", name + ".crt");
  }

  static void openssl(Path dir, String... args) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("openssl " + String.join(" ", args) + " failed: " + output);
    }
  }
}
