package io.tessera.grpc;

import io.grpc.Context;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.tessera.core.InlineRuns;
import io.tessera.proto.serving.ModelServiceGrpc;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The server runs gRPC callbacks on its transport threads (directExecutor); this interceptor moves
 * each call's callbacks to the worker pool, in order, unless {@link InlineRuns} knows the method
 * as cheap, in which case the call is answered on the transport thread with no hand-off.
 *
 * <p>Config reloads always go to the workers: they wait for models to load, however quick the
 * last few were. Each call's cost (see {@link Timed}) is recorded under its full method name. Offloaded
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
    if (!method.equals(RELOAD) && inline.runInline(method, 0)) {
      return new Timed<>(next.startCall(call, headers), method);
    }
    return new OffloadedListener<>(call, headers, next, new CallSerializer(workers, call), method);
  }

  /**
   * Measures the work of one call: the time spent in its message and half-close callbacks (for a
   * unary call the whole request, response included), recorded when the half-close returns.
   * Time waiting for a thread is not counted. Callbacks of one call never overlap.
   */
  private final class Timed<ReqT> extends SimpleForwardingServerCallListener<ReqT> {
    private final String method;
    private long busyNanos;

    Timed(ServerCall.Listener<ReqT> delegate, String method) {
      super(delegate);
      this.method = method;
    }

    @Override
    public void onMessage(ReqT message) {
      long started = System.nanoTime();
      try {
        super.onMessage(message);
      } finally {
        busyNanos += System.nanoTime() - started;
      }
    }

    @Override
    public void onHalfClose() {
      long started = System.nanoTime();
      try {
        super.onHalfClose();
      } finally {
        inline.record(method, busyNanos + System.nanoTime() - started);
      }
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
        } catch (RuntimeException | Error e) {
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

  /** Starts the call on a worker and forwards every later callback there too. */
  private final class OffloadedListener<ReqT, RespT> extends ServerCall.Listener<ReqT> {
    private final CallSerializer serial;
    private volatile ServerCall.Listener<ReqT> delegate;

    OffloadedListener(ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next,
        CallSerializer serial, String method) {
      this.serial = serial;
      serial.execute(() -> delegate = new Timed<>(next.startCall(call, headers), method));
    }

    /** Runs {@code callback} on the delegate, if the call started (else it was closed already). */
    private void forward(java.util.function.Consumer<ServerCall.Listener<ReqT>> callback) {
      serial.execute(() -> {
        ServerCall.Listener<ReqT> started = delegate;
        if (started != null) {
          callback.accept(started);
        }
      });
    }

    @Override
    public void onMessage(ReqT message) {
      forward(listener -> listener.onMessage(message));
    }

    @Override
    public void onHalfClose() {
      forward(listener -> listener.onHalfClose());
    }

    @Override
    public void onCancel() {
      forward(listener -> listener.onCancel());
    }

    @Override
    public void onComplete() {
      forward(listener -> listener.onComplete());
    }

    @Override
    public void onReady() {
      forward(listener -> listener.onReady());
    }
  }
}
