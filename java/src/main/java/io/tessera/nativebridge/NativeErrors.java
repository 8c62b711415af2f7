package io.tessera.nativebridge;

import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;

/** The one place where native failure codes become Java exceptions. */
final class NativeErrors {
  private NativeErrors() {}

  /** Throws the failing call's error when {@code code} is non-zero; the message is per thread. */
  static void check(int code) {
    if (code != 0) {
      throw lastError(code);
    }
  }

  /** Checks the result of a native call that signals failure by returning null. */
  static <P> P checkNotNull(P pointer) {
    if (pointer == null || (pointer instanceof org.bytedeco.javacpp.Pointer p && p.isNull())) {
      int code = TesseraNative.tessera_last_error_code();
      throw lastError(code == 0 ? StatusCode.INTERNAL.number() : code);
    }
    return pointer;
  }

  static ServingException lastError(int code) {
    String message = TesseraNative.tessera_last_error();
    return new ServingException(StatusCode.forNumber(code), message == null ? "" : message);
  }
}
