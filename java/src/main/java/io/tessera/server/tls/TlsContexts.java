package io.tessera.server.tls;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.tessera.config.TextOrJsonConfig;
import io.tessera.proto.serving.config.SSLConfig;
import io.tessera.status.ServingException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.logging.Logger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * TLS from one SSLConfig file (PEM *contents* of server_key, server_cert, custom_ca; client_verify).
 * {@code --ssl_config_file} applies to gRPC only, as in TF Serving (model_servers/server.cc builds
 * SslServerCredentials for the gRPC builder and starts the HTTP server without TLS); Tessera's
 * opt-in {@code --rest_api_ssl_config_file} and {@code --metrics_ssl_config_file} read the same
 * format for the REST port and the --enable_metrics listener. With client_verify, clients must
 * present a certificate signed by custom_ca (mutual TLS). Any problem is a clear start-up error,
 * never a crash (TF Serving aborts on a malformed file): a server_key that does not belong to
 * server_cert included; a certificate outside its validity period is logged as a WARNING.
 *
 * <p>Every listener offers the same modern suites only: TLS 1.3 and 1.2, ECDHE key exchange and
 * AEAD ciphers ({@link #CIPHERS}); no RSA key exchange, no DHE, no CBC, no SHA-1 MACs.
 */
public final class TlsContexts {
  private static final Logger LOG = Logger.getLogger(TlsContexts.class.getName());
  static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
  /** TLS 1.3 suites (always ephemeral, AEAD), then TLS 1.2 ECDHE + AES-GCM / ChaCha20-Poly1305. */
  static final List<String> CIPHERS = List.of(
      "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
  private final SSLConfig config;

  private TlsContexts(SSLConfig config) {
    this.config = config;
  }

  /** Reads and validates the SSLConfig file (text or JSON). */
  public static TlsContexts fromFile(Path file) {
    SSLConfig config = TextOrJsonConfig.parse(file, SSLConfig.newBuilder());
    if (config.getServerKey().isBlank() || config.getServerCert().isBlank()) {
      throw ServingException.invalidArgument("SSL config " + file + " must set server_key and server_cert (PEM contents)");
    }
    if (config.getClientVerify() && config.getCustomCa().isBlank()) {
      throw ServingException.invalidArgument("SSL config " + file + ": client_verify needs custom_ca (PEM root certificates)");
    }
    String source = "SSL config " + file;
    X509Certificate cert = CertificateChecks.leaf(config.getServerCert(), source);
    CertificateChecks.checkKeyMatches(cert, config.getServerKey(), source);
    CertificateChecks.validityWarning(cert, Instant.now(), source).ifPresent(LOG::warning);
    TlsContexts contexts = new TlsContexts(config);
    contexts.grpc();  // fail at start-up, not at the first handshake
    contexts.rest();
    return contexts;
  }

  public boolean mutual() {
    return config.getClientVerify();
  }

  /** Server context for grpc-java (HTTP/2 ALPN). */
  public SslContext grpc() {
    try {
      return GrpcSslContexts.configure(base()).ciphers(CIPHERS, SupportedCipherSuiteFilter.INSTANCE).build();
    } catch (SSLException | IllegalArgumentException e) {
      throw invalid(e);
    }
  }

  /** Server context for the REST listener (HTTP/1.1). */
  public SslContext rest() {
    try {
      return base().ciphers(CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
          .applicationProtocolConfig(new ApplicationProtocolConfig(
          ApplicationProtocolConfig.Protocol.ALPN,
          ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
          ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
          ApplicationProtocolNames.HTTP_1_1)).build();
    } catch (SSLException | IllegalArgumentException e) {
      throw invalid(e);
    }
  }

  /**
   * For the JDK HTTP server of the --enable_metrics listener: same certificate, protocols, suites
   * and client_verify as {@link #rest()}. Built with the JDK provider; a key it cannot read is
   * the same start-up error as in {@link #fromFile}.
   */
  public HttpsConfigurator https() {
    SSLContext jdk = jdk();
    boolean mutual = config.getClientVerify();
    return new HttpsConfigurator(jdk) {
      @Override
      public void configure(HttpsParameters params) {
        SSLParameters p = jdk.getDefaultSSLParameters();
        p.setProtocols(PROTOCOLS);
        List<String> supported = List.of(jdk.getSupportedSSLParameters().getCipherSuites());
        p.setCipherSuites(CIPHERS.stream().filter(supported::contains).toArray(String[]::new));
        p.setNeedClientAuth(mutual);
        params.setSSLParameters(p);
      }
    };
  }

  private SSLContext jdk() {
    try {
      return ((JdkSslContext) base().sslProvider(SslProvider.JDK).build()).context();
    } catch (SSLException | IllegalArgumentException e) {
      throw invalid(e);
    }
  }

  private SslContextBuilder base() {
    SslContextBuilder builder = SslContextBuilder.forServer(pem(config.getServerCert()), pem(config.getServerKey()));
    if (!config.getCustomCa().isBlank()) {
      builder.trustManager(pem(config.getCustomCa()));
    }
    return builder.protocols(PROTOCOLS).clientAuth(config.getClientVerify() ? ClientAuth.REQUIRE : ClientAuth.NONE);
  }

  private static ByteArrayInputStream pem(String contents) {
    return new ByteArrayInputStream(contents.getBytes(StandardCharsets.US_ASCII));
  }

  private static ServingException invalid(Exception e) {
    return ServingException.invalidArgument("Invalid SSL configuration (server_key must be a PEM "
        + "PKCS#8 or PKCS#1 private key matching server_cert): " + e.getMessage());
  }
}
