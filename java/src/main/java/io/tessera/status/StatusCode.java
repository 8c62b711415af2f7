package io.tessera.status;

/**
 * Canonical status codes (numbering shared by TensorFlow, absl and gRPC), with TF Serving's
 * mapping to HTTP statuses ({@code http_server.cc ToHTTPStatusCode}).
 */
public enum StatusCode {
  OK(0, 200),
  CANCELLED(1, 499),
  UNKNOWN(2, 500),
  INVALID_ARGUMENT(3, 400),
  DEADLINE_EXCEEDED(4, 504),
  NOT_FOUND(5, 404),
  ALREADY_EXISTS(6, 409),
  PERMISSION_DENIED(7, 403),
  RESOURCE_EXHAUSTED(8, 429),
  FAILED_PRECONDITION(9, 400),
  ABORTED(10, 409),
  OUT_OF_RANGE(11, 400),
  UNIMPLEMENTED(12, 501),
  INTERNAL(13, 500),
  UNAVAILABLE(14, 503),
  DATA_LOSS(15, 500),
  UNAUTHENTICATED(16, 401);

  private static final StatusCode[] BY_NUMBER = values();

  private final int number;
  private final int httpStatus;

  StatusCode(int number, int httpStatus) {
    this.number = number;
    this.httpStatus = httpStatus;
  }

  public int number() {
    return number;
  }

  public int httpStatus() {
    return httpStatus;
  }

  /** Unknown numbers map to UNKNOWN, as TF Serving maps "other" codes to HTTP 500. */
  public static StatusCode forNumber(int number) {
    return number >= 0 && number < BY_NUMBER.length ? BY_NUMBER[number] : UNKNOWN;
  }
}
