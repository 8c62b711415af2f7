package io.tessera.grpc;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.tessera.core.ErrorText;
import io.tessera.core.ServingException;
import io.tessera.metrics.ServingMetrics;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Runs one unary call and maps failures to gRPC statuses the way TF Serving does. */
final class GrpcStatuses {
  private static final Logger LOG = Logger.getLogger(GrpcStatuses.class.getName());
  private GrpcStatuses() {}

  static <T> void unary(StreamObserver<T> observer, Supplier<T> call) {
    unary(observer, null, "", "", call);
  }

  /**
   * Runs the call and, when {@code metrics} is given, records TF Serving's request count and
   * latency for {@code model} under the gRPC method name {@code api}.
   */
  static <T> void unary(StreamObserver<T> observer, ServingMetrics metrics, String model, String api,
      Supplier<T> call) {
    long started = System.nanoTime();
    T response;
    String status = "OK";
    try {
      response = call.get();
    } catch (ServingException e) {
      status = e.code().name();
      observer.onError(toStatus(e).asRuntimeException());
      return;
    } catch (RuntimeException | Error e) {
      status = "INTERNAL";
      LOG.log(Level.SEVERE, "gRPC call failed", e);
      observer.onError(Status.INTERNAL.withDescription(ErrorText.truncate(e.getMessage()))
          .asRuntimeException());
      return;
    } finally {
      if (metrics != null) {
        metrics.recordRequest(model, api, "GRPC", status, System.nanoTime() - started);
      }
    }
    observer.onNext(response);
    observer.onCompleted();
  }

  static Status toStatus(ServingException e) {
    return Status.fromCodeValue(e.code().number()).withDescription(ErrorText.truncate(e.getMessage()));
  }
}
