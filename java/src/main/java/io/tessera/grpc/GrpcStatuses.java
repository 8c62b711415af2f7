package io.tessera.grpc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.tessera.core.ServingException;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Runs one unary call and maps failures to gRPC statuses the way TF Serving does. */
final class GrpcStatuses {
  private static final Logger LOG = Logger.getLogger(GrpcStatuses.class.getName());
  /** TF Serving truncates gRPC error messages (grpc_status_util.cc). */
  static final int MAX_MESSAGE_CHARS = 1024;

  private GrpcStatuses() {}

  static <T> void unary(StreamObserver<T> observer, Supplier<T> call) {
    T response;
    try {
      response = call.get();
    } catch (ServingException e) {
      observer.onError(toStatus(e).asRuntimeException());
      return;
    } catch (RuntimeException | Error e) {
      LOG.log(Level.SEVERE, "gRPC call failed", e);
      observer.onError(Status.INTERNAL.withDescription(truncate(String.valueOf(e.getMessage())))
          .asRuntimeException());
      return;
    }
    observer.onNext(response);
    observer.onCompleted();
  }

  static Status toStatus(ServingException e) {
    return Status.fromCodeValue(e.code().number()).withDescription(truncate(e.getMessage()));
  }

  static String truncate(String message) {
    return message.length() <= MAX_MESSAGE_CHARS
        ? message : message.substring(0, MAX_MESSAGE_CHARS) + "...TRUNCATED";
  }

  static StatusRuntimeException unimplemented(String what) {
    return Status.UNIMPLEMENTED.withDescription(what + " is not implemented yet").asRuntimeException();
  }
}
