package io.tessera.status;

/**
 * The one cut applied to every error text a client sees, on every transport: TF Serving truncates
 * gRPC error messages at 1024 characters ({@code grpc_status_util.cc}); Tessera does the same for
 * REST error bodies, so a request echoing a huge value never gets a huge answer.
 */
public final class ErrorText {
  public static final int MAX_CHARS = 1024;

  private ErrorText() {}

  /** {@code message} unchanged when short enough, else its first 1024 chars + "...TRUNCATED". */
  public static String truncate(String message) {
    String m = String.valueOf(message);
    return m.length() <= MAX_CHARS ? m : m.substring(0, MAX_CHARS) + "...TRUNCATED";
  }
}
