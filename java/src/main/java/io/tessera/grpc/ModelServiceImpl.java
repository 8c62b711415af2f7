package io.tessera.grpc;

import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.tessera.admission.Limits;
import io.tessera.proto.serving.GetModelStatusRequest;
import io.tessera.proto.serving.GetModelStatusResponse;
import io.tessera.proto.serving.ModelServiceGrpc;
import io.tessera.proto.serving.ModelSpec;
import io.tessera.proto.serving.ReloadConfigRequest;
import io.tessera.proto.serving.ReloadConfigResponse;
import io.tessera.proto.serving.StatusProto;
import io.tessera.serving.ModelResponses;
import io.tessera.serving.ServerCore;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * {@code tensorflow.serving.ModelService}. Like TF Serving, status ignores version labels.
 *
 * <p>Threading: GetModelStatus runs where {@link OffloadInterceptor} puts it. A config reload's
 * handler only hands the work to {@code reloads} (a small executor of its own, never the request
 * workers or the transport threads) and returns; the reload answers from there, within the
 * call's deadline and {@code --reload_config_max_seconds}, and the call's cancellation (or
 * deadline) interrupts it.
 */
public final class ModelServiceImpl extends ModelServiceGrpc.ModelServiceImplBase {
  private final ServerCore core;
  private final Limits limits;
  private final ExecutorService reloads;

  /** @param reloads runs config reloads; rejecting a task answers UNAVAILABLE */
  public ModelServiceImpl(ServerCore core, Limits limits, ExecutorService reloads) {
    this.core = core;
    this.limits = limits;
    this.reloads = reloads;
  }

  @Override
  public void getModelStatus(GetModelStatusRequest request, StreamObserver<GetModelStatusResponse> observer) {
    GrpcStatuses.unary(observer, () -> {
      ModelSpec spec = request.getModelSpec();
      Long version = spec.hasVersion() ? spec.getVersion().getValue() : null;
      return ModelResponses.status(core.status(request.hasModelSpec() ? spec.getName() : null, version));
    });
  }

  @Override
  public void handleReloadConfigRequest(ReloadConfigRequest request,
      StreamObserver<ReloadConfigResponse> observer) {
    if (!limits.reloadConfigRpc()) {
      observer.onError(Status.UNIMPLEMENTED.withDescription("HandleReloadConfigRequest is disabled on this "
          + "server (--enable_reload_config_rpc=false)").asRuntimeException());
      return;
    }
    Context context = Context.current();
    Duration timeout = reloadTimeout(limits.reloadConfigMaxTime(), context.getDeadline());
    Future<?> task;
    try {
      // Synchronous as in TF Serving: answers once new models are AVAILABLE or have failed.
      task = reloads.submit(context.wrap(() -> answer(observer, () -> {
        core.reloadConfig(request.getConfig(), timeout);
        return ReloadConfigResponse.newBuilder().setStatus(StatusProto.getDefaultInstance()).build();
      })));
    } catch (RejectedExecutionException e) {
      observer.onError(Status.UNAVAILABLE.withDescription("Too many config reloads are waiting; try again later")
          .asRuntimeException());
      return;
    }
    context.addListener(cancelled -> task.cancel(true), Runnable::run);
  }

  /**
   * How long a reload may take: the server's maximum (zero or negative = none) or what is left of
   * the call's deadline, whichever is sooner; at least zero. Pure.
   */
  static Duration reloadTimeout(Duration serverMax, Deadline callDeadline) {
    long nanos = serverMax.isZero() || serverMax.isNegative() ? Long.MAX_VALUE : serverMax.toNanos();
    if (callDeadline != null) {
      nanos = Math.min(nanos, callDeadline.timeRemaining(TimeUnit.NANOSECONDS));
    }
    return Duration.ofNanos(Math.max(0, Math.min(nanos, Duration.ofDays(36500).toNanos())));
  }

  /** Answers the call; a call already cancelled (client gone) cannot be answered and is left. */
  private static <T> void answer(StreamObserver<T> observer, java.util.function.Supplier<T> reload) {
    try {
      GrpcStatuses.unary(observer, reload);
    } catch (StatusRuntimeException | IllegalStateException cancelled) {
      // grpc-java refuses messages on a cancelled call; nobody is listening any more
    }
  }
}
