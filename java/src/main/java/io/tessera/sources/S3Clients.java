package io.tessera.sources;

import java.time.Duration;
import java.util.logging.Logger;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpConfigurationOption;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.utils.AttributeMap;

/**
 * Builds the S3 client from {@link S3Settings}: the SDK's default credentials chain, the JDK's
 * URL-connection HTTP client (no second Netty), bounded connect and read timeouts, the SDK's
 * standard retries, path-style requests for S3-compatible endpoints.
 */
final class S3Clients {
  private static final Logger LOG = Logger.getLogger(S3Clients.class.getName());
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

  private S3Clients() {}

  static S3Client create(S3Settings settings) {
    AttributeMap.Builder http = AttributeMap.builder();
    if (!settings.verifySsl()) {
      http.put(SdkHttpConfigurationOption.TRUST_ALL_CERTIFICATES, true);
    }
    SdkHttpClient httpClient = UrlConnectionHttpClient.builder()
        .connectionTimeout(CONNECT_TIMEOUT).socketTimeout(READ_TIMEOUT).buildWithDefaults(http.build());
    Region region = region(settings.region());
    var builder = S3Client.builder()
        .httpClient(httpClient)
        .region(region)
        .credentialsProvider(DefaultCredentialsProvider.builder().build())
        .forcePathStyle(settings.pathStyle())
        // Only GET and LIST are sent; verify what comes back, add nothing S3-compatible stores reject.
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_SUPPORTED);
    if (settings.endpoint() != null) {
      builder.endpointOverride(settings.endpoint());
    } else {
      builder.crossRegionAccessEnabled(true);  // a bucket in another region than AWS_REGION still works
    }
    LOG.info("S3 client: endpoint " + (settings.endpoint() == null ? "AWS (" + region + ")" : settings.endpoint())
        + (settings.pathStyle() ? ", path-style" : "") + (settings.verifySsl() ? "" : ", TLS certificates NOT verified (S3_VERIFY_SSL=0)")
        + "; credentials from the AWS default chain");
    return builder.build();
  }

  private static Region region(String configured) {
    if (configured != null) {
      return Region.of(configured);
    }
    try {
      return DefaultAwsRegionProviderChain.builder().build().getRegion();
    } catch (RuntimeException e) {
      return Region.US_EAST_1;  // S3-compatible stores ignore it; AWS: cross-region access finds the bucket
    }
  }
}
