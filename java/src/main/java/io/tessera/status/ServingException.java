package io.tessera.status;

/**
 * A failed serving operation with a canonical status code. Its message is what clients see (REST
 * {@code {"error": ...}}, gRPC status description), so it follows TF Serving's wording.
 */
public final class ServingException extends RuntimeException {
  private final StatusCode code;

  public ServingException(StatusCode code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public StatusCode code() {
    return code;
  }

  public static ServingException invalidArgument(String message) {
    return new ServingException(StatusCode.INVALID_ARGUMENT, message);
  }

  public static ServingException notFound(String message) {
    return new ServingException(StatusCode.NOT_FOUND, message);
  }

  public static ServingException unimplemented(String message) {
    return new ServingException(StatusCode.UNIMPLEMENTED, message);
  }

  public static ServingException internal(String message) {
    return new ServingException(StatusCode.INTERNAL, message);
  }

  public static ServingException failedPrecondition(String message) {
    return new ServingException(StatusCode.FAILED_PRECONDITION, message);
  }
}
