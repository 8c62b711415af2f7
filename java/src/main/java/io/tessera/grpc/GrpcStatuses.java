package io.tessera.grpc;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.tessera.admission.ClientErrorLog;
import io.tessera.status.ErrorText;
import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs one unary call and maps failures to gRPC statuses the way TF Serving does. Logging: a
 * client-caused failure (any {@link ServingException} but INTERNAL, UNKNOWN and DATA_LOSS) writes
 * at most one rate-limited line ({@link #CLIENT_ERRORS}), never a stack trace; a server fault
 * writes one SEVERE record, with the stack trace when it is an unexpected exception. Errors
 * (OutOfMemoryError, StackOverflowError, ...) are not caught: the JVM's handling of them stays.
 */
final class GrpcStatuses {
  private static final Logger LOG = Logger.getLogger(GrpcStatuses.class.getName());
  /** Shared by every gRPC front-end class that refuses a client's call. */
  static final ClientErrorLog CLIENT_ERRORS = new ClientErrorLog(LOG, 10);
  private GrpcStatuses() {}

  static <T> void unary(StreamObserver<T> observer, Supplier<T> call) {
    unary(observer, "", call);
  }

  /**
   * Runs the call and renders its outcome once; {@code api} (the gRPC method, or "") names it in
   * log lines. Metrics are not recorded here: the request pipeline records them. A response that
   * owns memory ({@link AutoCloseable}) belongs to the transport once sent (its marshaller's
   * stream frees it) and is closed here if sending fails.
   */
  static <T> void unary(StreamObserver<T> observer, String api, Supplier<T> call) {
    T response;
    try {
      response = call.get();
    } catch (ServingException e) {
      logFailure(api, e);
      observer.onError(toStatus(e).asRuntimeException());
      return;
    } catch (RuntimeException e) {
      LOG.log(Level.SEVERE, "gRPC call failed", e);
      observer.onError(Status.INTERNAL.withDescription(ErrorText.truncate(e.getMessage()))
          .asRuntimeException());
      return;
    }
    try {
      observer.onNext(response);
    } catch (RuntimeException e) {
      if (response instanceof AutoCloseable owning) {  // not handed to the transport: free it here
        closeQuietly(owning, e);
      }
      throw e;
    }
    observer.onCompleted();
  }

  private static void closeQuietly(AutoCloseable owning, RuntimeException cause) {
    try {
      owning.close();
    } catch (Exception suppressed) {
      cause.addSuppressed(suppressed);
    }
  }

  /** Logs a refused or failed call as the class comment says; {@code api} may be "". */
  static void logFailure(String api, ServingException e) {
    StatusCode code = e.code();
    api = api.isEmpty() ? "call" : api;
    if (code == StatusCode.INTERNAL || code == StatusCode.UNKNOWN || code == StatusCode.DATA_LOSS) {
      LOG.severe("gRPC " + api + " failed: " + code + ": " + e.getMessage());
    } else {
      CLIENT_ERRORS.log("gRPC " + api + " refused: " + code + ": " + e.getMessage());
    }
  }

  static Status toStatus(ServingException e) {
    return Status.fromCodeValue(e.code().number()).withDescription(ErrorText.truncate(e.getMessage()));
  }
}
