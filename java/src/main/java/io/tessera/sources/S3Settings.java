package io.tessera.sources;

import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * How s3:// base paths are reached, from the environment as TensorFlow's S3 file system and the
 * AWS SDK read it. Credentials are not here: the AWS SDK's default chain finds them (environment,
 * Java system properties, web identity token, profiles, container and instance metadata).
 *
 * <ul>
 *   <li>{@code S3_ENDPOINT} (TF's; {@code host:port} or a URL), else {@code AWS_ENDPOINT_URL_S3},
 *       else {@code AWS_ENDPOINT_URL}: an S3-compatible store (MinIO, Ceph); path-style requests
 *       are used with any endpoint override;
 *   <li>{@code S3_USE_HTTPS} (TF's, default 1): with 0 an endpoint without a scheme is plain HTTP;
 *   <li>{@code S3_VERIFY_SSL} (TF's, default 1): with 0 the server certificate is not checked;
 *   <li>{@code AWS_REGION}, else {@code S3_REGION} (TF's older name), else the SDK's region chain
 *       ({@code AWS_DEFAULT_REGION}, profile), else us-east-1.
 * </ul>
 *
 * @param endpoint endpoint override, null for AWS's own endpoints
 * @param region region name, null to let the SDK's chain decide
 * @param cacheDir local directory downloaded versions are kept in (--model_cache_dir)
 */
public record S3Settings(URI endpoint, boolean pathStyle, boolean verifySsl, String region, Path cacheDir) {
  /** Reads the variables above from {@code env} (normally System.getenv()). */
  public static S3Settings fromEnvironment(Map<String, String> env, Path cacheDir) {
    boolean https = !isFalse(env.get("S3_USE_HTTPS"));
    URI endpoint = null;
    for (String name : new String[] {"S3_ENDPOINT", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"}) {
      String value = env.get(name);
      if (value != null && !value.isBlank()) {
        endpoint = endpoint(value.strip(), https, name);
        break;
      }
    }
    String region = firstSet(env, "AWS_REGION", "S3_REGION");
    return new S3Settings(endpoint, endpoint != null, !isFalse(env.get("S3_VERIFY_SSL")), region, cacheDir);
  }

  private static URI endpoint(String value, boolean https, String variable) {
    String url = value.contains("://") ? value : (https ? "https://" : "http://") + value;
    try {
      URI uri = URI.create(url);
      if (uri.getHost() == null) {
        throw new IllegalArgumentException("no host");
      }
      return uri;
    } catch (IllegalArgumentException e) {
      throw io.tessera.status.ServingException.invalidArgument(
          variable + "=" + value + " is not an endpoint (host:port or URL): " + e.getMessage());
    }
  }

  private static String firstSet(Map<String, String> env, String... names) {
    for (String name : names) {
      String value = env.get(name);
      if (value != null && !value.isBlank()) {
        return value.strip();
      }
    }
    return null;
  }

  /** TF's reading of its boolean S3 variables: "0" or "false" turns them off. */
  private static boolean isFalse(String value) {
    return value != null && (value.strip().equals("0") || value.strip().toLowerCase(Locale.ROOT).equals("false"));
  }
}
