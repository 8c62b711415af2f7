package io.tessera.server.tls;

import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.tessera.config.TextOrJsonConfig;
import io.tessera.core.ServingException;
import io.tessera.proto.serving.config.SSLConfig;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import javax.net.ssl.SSLException;

/**
 * TLS for both listeners from TF Serving's {@code --ssl_config_file} (SSLConfig: PEM *contents* of
 * server_key, server_cert, custom_ca; client_verify). gRPC gets TLS as in TF Serving; REST gets the
 * same certificate as well (TF Serving leaves REST in plain HTTP). With client_verify, clients must
 * present a certificate signed by custom_ca (mutual TLS). Any problem is a clear start-up error,
 * never a crash (TF Serving aborts on a malformed file).
 */
public final class TlsContexts {
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
      return GrpcSslContexts.configure(base()).build();
    } catch (SSLException | IllegalArgumentException e) {
      throw invalid(e);
    }
  }

  /** Server context for the REST listener (HTTP/1.1). */
  public SslContext rest() {
    try {
      return base().applicationProtocolConfig(new ApplicationProtocolConfig(
          ApplicationProtocolConfig.Protocol.ALPN,
          ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
          ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
          ApplicationProtocolNames.HTTP_1_1)).build();
    } catch (SSLException | IllegalArgumentException e) {
      throw invalid(e);
    }
  }

  private SslContextBuilder base() {
    SslContextBuilder builder = SslContextBuilder.forServer(pem(config.getServerCert()), pem(config.getServerKey()));
    if (!config.getCustomCa().isBlank()) {
      builder.trustManager(pem(config.getCustomCa()));
    }
    return builder.clientAuth(config.getClientVerify() ? ClientAuth.REQUIRE : ClientAuth.NONE);
  }

  private static ByteArrayInputStream pem(String contents) {
    return new ByteArrayInputStream(contents.getBytes(StandardCharsets.US_ASCII));
  }

  private static ServingException invalid(Exception e) {
    return ServingException.invalidArgument("Invalid SSL configuration (server_key must be a PEM "
        + "PKCS#8 or PKCS#1 private key matching server_cert): " + e.getMessage());
  }
}
