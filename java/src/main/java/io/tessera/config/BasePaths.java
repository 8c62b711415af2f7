package io.tessera.config;

import io.tessera.status.ServingException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Model base paths as TF Serving takes them: a local path or a URI. Only the schemes in
 * {@link #SERVED_SCHEMES} are served (a remote store adds its scheme there and its source in
 * io.tessera.sources); any other scheme ({@code gs://}, {@code hdfs://}, ...) is a clear
 * INVALID_ARGUMENT instead of being read as a relative local path. Pure.
 */
public final class BasePaths {
  /** URI schemes whose base paths this server reads; a plain path (no scheme) is always served. */
  public static final List<String> SERVED_SCHEMES = List.of("file");

  private static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*)://");

  private BasePaths() {}

  /** The URI scheme of {@code basePath} in lower case ("gs" for gs://b/m), or null for a plain path. */
  public static String schemeOf(String basePath) {
    Matcher m = SCHEME.matcher(basePath);
    return m.find() ? m.group(1).toLowerCase(Locale.ROOT) : null;
  }

  /**
   * The local directory {@code basePath} names: a plain path as given, {@code file:///dir} as
   * /dir. Does not make a relative path absolute (callers decide).
   *
   * @throws ServingException INVALID_ARGUMENT for a scheme this server does not serve
   */
  public static Path localPath(String model, String basePath) {
    String scheme = schemeOf(basePath);
    if (scheme == null) {
      return Path.of(basePath);
    }
    if (!SERVED_SCHEMES.contains(scheme)) {
      throw ServingException.invalidArgument("Model " + model + " has base path " + basePath
          + ", whose URI scheme " + scheme + ":// this server does not serve (served: local paths and "
          + String.join(", ", SERVED_SCHEMES.stream().map(s -> s + "://").toList())
          + "); copy the model to a local directory or a mounted volume");
    }
    try {
      return Path.of(URI.create(basePath));
    } catch (IllegalArgumentException e) {
      throw ServingException.invalidArgument("Model " + model + " has base path " + basePath
          + ", which is not a valid file:// URI (expected file:///absolute/path): " + e.getMessage());
    }
  }
}
