package io.tessera.grpc;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.MessageOrBuilder;
import io.grpc.Context;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.tessera.proto.serving.ModelServiceGrpc;
import io.tessera.proto.serving.ModelSpec;
import io.tessera.transport.InlineRuns;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The server runs gRPC callbacks on its transport threads (directExecutor); this interceptor
 * decides, when a call's request message arrives, whether the call is answered right there or
 * moved, in order, to the worker pool: inline only when {@link InlineRuns} knows the route (method
 * and the request's {@code model_spec.name}) as cheap. Starting a call only asks for its message,
 * so it always happens on the transport thread.
 *
 * <p>Config reloads always stay on the transport thread: their handler only hands the work to
 * its own executor ({@link ModelServiceImpl}), so a reload never takes a worker. Offloaded
 * callbacks run in the call's gRPC {@link Context} (deadline, cancellation), one at a time.
 */
final class OffloadInterceptor implements ServerInterceptor {
  private static final Logger LOG = Logger.getLogger(OffloadInterceptor.class.getName());

  private static final String RELOAD = ModelServiceGrpc.getHandleReloadConfigRequestMethod().getFullMethodName();

  private final Executor workers;
  private final InlineRuns inline;

  OffloadInterceptor(Executor workers, InlineRuns inline) {
    this.workers = workers;
    this.inline = inline;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
      ServerCallHandler<ReqT, RespT> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    StatusTap<ReqT, RespT> tapped = new StatusTap<>(call);
    return new Dispatching<>(next.startCall(tapped, headers), tapped, method);
  }

  /** The model a request names, or "" (health checks and other requests without a model_spec). */
  static String modelOf(Object message) {
    if (message instanceof MessageOrBuilder request) {
      FieldDescriptor spec = request.getDescriptorForType().findFieldByName("model_spec");
      if (spec != null && !spec.isRepeated() && request.getField(spec) instanceof ModelSpec model) {
        return model.getName();
      }
    }
    return "";
  }

  /** Remembers whether the call was answered OK (only those costs are recorded). */
  private static final class StatusTap<ReqT, RespT> extends SimpleForwardingServerCall<ReqT, RespT> {
    private volatile boolean ok;

    StatusTap(ServerCall<ReqT, RespT> call) {
      super(call);
    }

    @Override
    public void close(Status status, Metadata trailers) {
      ok = status.isOk();
      super.close(status, trailers);
    }
  }

  /**
   * Delivers one call's callbacks inline or through its serializer, decided at the first message.
   * Measures the call's work: time in its message and half-close callbacks (for a unary call the
   * whole request, response included), recorded when the half-close returns; time waiting for a
   * thread is not counted. Callbacks of one call never overlap.
   */
  private final class Dispatching<ReqT, RespT> extends ServerCall.Listener<ReqT> {
    private final ServerCall.Listener<ReqT> delegate;
    private final StatusTap<ReqT, RespT> call;
    private final String method;
    private CallSerializer serial;  // created when the call is first offloaded (transport thread)
    private String route;           // set at the first message, on the transport thread
    private boolean offloaded;      // idem; never for reloads
    private final boolean reload;
    private long busyNanos;

    Dispatching(ServerCall.Listener<ReqT> delegate, StatusTap<ReqT, RespT> call, String method) {
      this.delegate = delegate;
      this.call = call;
      this.method = method;
      this.reload = method.equals(RELOAD);
    }

    private void dispatch(Runnable callback) {
      if (offloaded) {
        if (serial == null) {
          serial = new CallSerializer(workers, call);
        }
        serial.execute(callback);
      } else {
        callback.run();
      }
    }

    @Override
    public void onMessage(ReqT message) {
      if (route == null) {
        route = method + " " + modelOf(message);
        offloaded = !reload && !inline.runInline(route, 0);
      }
      dispatch(() -> {
        long started = System.nanoTime();
        try {
          delegate.onMessage(message);
        } finally {
          busyNanos += System.nanoTime() - started;
        }
      });
    }

    @Override
    public void onHalfClose() {
      dispatch(() -> {
        long started = System.nanoTime();
        try {
          delegate.onHalfClose();
        } finally {
          if (route != null && call.ok) {
            inline.record(route, busyNanos + System.nanoTime() - started);
          }
        }
      });
    }

    @Override
    public void onCancel() {
      dispatch(delegate::onCancel);
    }

    @Override
    public void onComplete() {
      dispatch(delegate::onComplete);
    }

    @Override
    public void onReady() {
      dispatch(delegate::onReady);
    }
  }

  /** Runs one call's tasks on the workers, one after another, in submission order. */
  private static final class CallSerializer {
    private final Executor workers;
    private final ServerCall<?, ?> call;
    private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);  // guarded by this

    CallSerializer(Executor workers, ServerCall<?, ?> call) {
      this.workers = workers;
      this.call = call;
    }

    /** Runs {@code task} in the caller's gRPC context; a task that throws closes the call. */
    synchronized void execute(Runnable task) {
      Runnable inContext = Context.current().wrap(task);
      tail = tail.thenRunAsync(() -> {
        try {
          inContext.run();
        } catch (RuntimeException e) {
          LOG.log(Level.SEVERE, "gRPC call " + call.getMethodDescriptor().getFullMethodName() + " failed", e);
          try {
            call.close(Status.INTERNAL.withDescription(String.valueOf(e.getMessage())), new Metadata());
          } catch (IllegalStateException alreadyClosed) {
            // the call had answered before the failure
          }
        }
      }, workers);
    }
  }
}
