package io.tessera.grpc;

import io.grpc.Context;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.KnownLength;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServerStreamTracer;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.tessera.admission.MemoryBudget;
import io.tessera.status.ServingException;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Queue;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Counts the request messages of the services passed through {@link #counting} against
 * {@link MemoryBudget#process()}, from their first byte until their call ends: the message's
 * bytes while they arrive (as the transport buffers them), then its decompressed bytes while it is
 * parsed. One reservation per call, returned when the call closes. A message that does not fit is
 * refused with RESOURCE_EXHAUSTED as soon as the budget is exceeded, having received (or
 * inflated) no more than that; the call is closed and nothing is delivered to the service.
 *
 * <p>Why our own marshaller wrapper (and a stream tracer): grpc-java's only size control,
 * {@code maxInboundMessageSize}, is one static cap per server (TF Serving's is 2 GiB, which we
 * keep); the transport buffers a whole message before parsing it, for every concurrent call, and
 * a 400 KB gzip frame can inflate to 400 MB inside the parser. There is no public hook between
 * "bytes arrived" and "message parsed" but two: {@link ServerStreamTracer#inboundWireSize}, which
 * reports each chunk of a message body as the transport buffers it, and the method's request
 * {@link MethodDescriptor.Marshaller}, where reading through a counting stream sees each
 * decompressed byte before it is copied into the message and can stop there. A frame of known
 * length (uncompressed) was already counted on arrival and is parsed by the original marshaller
 * unchanged, keeping its fast path.
 *
 * <p>Install as both the server's stream tracer factory and its <em>last-added</em> interceptor;
 * the per-call state travels in the call's {@link Context} (tracers filter it; interceptors and
 * the marshaller run in it).
 *
 * <p>A message that does not parse: grpc-java's server turns any exception thrown by a request
 * marshaller into UNKNOWN "Application error processing RPC" (and a stack trace in the log). The
 * counting marshaller instead closes the call itself with the status the parser meant, which for
 * bad bytes is grpc-java's INTERNAL "Invalid protobuf byte sequence" — the code TF Serving (C++
 * gRPC, whose deserializer fails with INTERNAL) answers too — and writes one rate-limited line.
 */
final class RequestBudget extends ServerStreamTracer.Factory implements ServerInterceptor {
  private static final String WHAT = "gRPC request message";
  private static final Context.Key<CallBudget> KEY = Context.key("tessera-request-budget");
  /** Decompressed bytes are reserved in steps of this many. */
  private static final int STEP = 64 << 10;

  private final Set<String> counted = ConcurrentHashMap.newKeySet();

  /**
   * {@code service} with every method's request marshaller counting; remembers its methods. The
   * service keeps its schema descriptor (the .proto it came from), which gRPC reflection serves.
   */
  ServerServiceDefinition counting(ServerServiceDefinition service) {
    List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
    service.getMethods().forEach(m -> methods.add(counting(m)));
    ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(service.getServiceDescriptor().getName())
        .setSchemaDescriptor(service.getServiceDescriptor().getSchemaDescriptor());
    methods.forEach(m -> descriptor.addMethod(m.getMethodDescriptor()));
    ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(descriptor.build());
    for (ServerMethodDefinition<?, ?> m : methods) {
      b.addMethod(m);
      counted.add(m.getMethodDescriptor().getFullMethodName());
    }
    return b.build();
  }

  private static <ReqT, RespT> ServerMethodDefinition<ReqT, RespT> counting(ServerMethodDefinition<ReqT, RespT> m) {
    MethodDescriptor<ReqT, RespT> d = m.getMethodDescriptor();
    return ServerMethodDefinition.create(
        d.toBuilder().setRequestMarshaller(new Counting<>(d.getRequestMarshaller())).build(),
        m.getServerCallHandler());
  }

  /**
   * Has {@code parsed} closed when the current call ends (however it ends), and returns it; for a
   * marshaller whose messages own memory until the service takes it over. Outside a counted call
   * (tests parsing directly) the caller keeps that duty.
   */
  static <T extends AutoCloseable> T closeWhenCallEnds(T parsed) {
    CallBudget budget = KEY.get();
    if (budget != null) {
      budget.own(parsed);
    }
    return parsed;
  }

  @Override
  public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
    return counted.contains(fullMethodName) ? new CallBudget() : new ServerStreamTracer() {};
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
      ServerCallHandler<ReqT, RespT> next) {
    CallBudget budget = KEY.get();
    if (budget == null) {
      return next.startCall(call, headers);
    }
    budget.attach(call);
    return new Guarded<>(next.startCall(call, headers), budget);
  }

  /** One call's reservation, and its refusal when it does not fit. Thread-safe. */
  private static final class CallBudget extends ServerStreamTracer {
    private final MemoryBudget.Reservation reservation = MemoryBudget.Reservation.empty();
    private final AtomicBoolean refused = new AtomicBoolean();
    private final Queue<AutoCloseable> owned = new ConcurrentLinkedQueue<>();
    private volatile ServerCall<?, ?> call;
    private volatile ServingException refusal;

    @Override
    public Context filterContext(Context context) {
      return context.withValue(KEY, this);
    }

    void attach(ServerCall<?, ?> call) {
      this.call = call;
    }

    void own(AutoCloseable parsed) {
      owned.add(parsed);
    }

    /** Returns the reservation and closes what parsed messages still own. Idempotent. */
    void release() {
      reservation.close();
      for (AutoCloseable o; (o = owned.poll()) != null; ) {
        try {
          o.close();
        } catch (Exception e) {
          throw new IllegalStateException("closing a parsed request failed", e);
        }
      }
    }

    /** Bytes of a message body buffered by the transport (before any is parsed). */
    @Override
    public void inboundWireSize(long bytes) {
      tryGrow(bytes);
    }

    /** Reserves {@code bytes} more; false (the call refused and closed) when they do not fit. */
    boolean tryGrow(long bytes) {
      if (refused.get()) {
        return false;
      }
      synchronized (reservation) {
        try {
          reservation.grow(bytes, WHAT);
          return true;
        } catch (ServingException e) {
          refusal = e;
          refuse(e);
          return false;
        }
      }
    }

    /** Closes the call with {@code status} (its request did not parse); nothing is delivered. */
    void reject(Status status) {
      ServerCall<?, ?> c = call;
      if (!refused.compareAndSet(false, true) || c == null) {
        return;
      }
      GrpcStatuses.CLIENT_ERRORS.log("gRPC " + c.getMethodDescriptor().getBareMethodName() + " refused: "
          + status.getCode() + ": " + status.getDescription());
      try {
        c.close(status, new Metadata());
      } catch (IllegalStateException alreadyClosed) {
        // the call had already ended
      }
    }

    boolean refused() {
      return refused.get();
    }

    private void refuse(ServingException e) {
      ServerCall<?, ?> c = call;
      if (!refused.compareAndSet(false, true) || c == null) {
        return;
      }
      GrpcStatuses.logFailure(c.getMethodDescriptor().getBareMethodName(), e);
      try {
        c.close(GrpcStatuses.toStatus(e), new Metadata());
      } catch (IllegalStateException alreadyClosed) {
        // the call had already ended
      }
    }

    @Override
    public void streamClosed(Status status) {
      release();
    }
  }

  /** Delivers nothing once the call was refused; returns the reservation when the call ends. */
  private static final class Guarded<ReqT> extends SimpleForwardingServerCallListener<ReqT> {
    private final CallBudget budget;

    Guarded(ServerCall.Listener<ReqT> delegate, CallBudget budget) {
      super(delegate);
      this.budget = budget;
    }

    @Override
    public void onMessage(ReqT message) {
      if (!budget.refused()) {
        super.onMessage(message);
      }
    }

    @Override
    public void onHalfClose() {
      if (!budget.refused()) {
        super.onHalfClose();
      }
    }

    @Override
    public void onCancel() {
      budget.release();
      super.onCancel();
    }

    @Override
    public void onComplete() {
      budget.release();
      super.onComplete();
    }
  }

  /** The original marshaller, reading a decompressing stream through one that reserves. */
  private static final class Counting<T> implements MethodDescriptor.Marshaller<T> {
    private final MethodDescriptor.Marshaller<T> delegate;
    private final T empty;

    Counting(MethodDescriptor.Marshaller<T> delegate) {
      this.delegate = delegate;
      this.empty = delegate.parse(new ByteArrayInputStream(new byte[0]));
    }

    @Override
    public InputStream stream(T value) {
      return delegate.stream(value);
    }

    @Override
    public T parse(InputStream stream) {
      CallBudget budget = KEY.get();
      if (budget == null) {
        return delegate.parse(stream); // not a call of ours
      }
      try {
        // a frame of known length was counted on arrival
        return delegate.parse(stream instanceof KnownLength ? stream : new Reserving(stream, budget));
      } catch (ServingException refused) {
        return empty; // the call is closed already; the listener drops this
      } catch (StatusRuntimeException e) {
        // INTERNAL "Invalid protobuf byte sequence", or RESOURCE_EXHAUSTED past the inflated limit
        budget.reject(e.getStatus().withCause(null));
        return empty; // the listener drops this
      } catch (RuntimeException e) {
        // e.g. an I/O error reading the frame, which the stock marshaller wraps unchecked
        budget.reject(Status.INTERNAL.withDescription("Invalid protobuf byte sequence"));
        return empty;
      }
    }
  }

  /** Reserves every byte read, in {@link #STEP}s; throws the budget's refusal when full. */
  private static final class Reserving extends FilterInputStream {
    private final CallBudget budget;
    private long read;
    private long reserved;

    Reserving(InputStream in, CallBudget budget) {
      super(in);
      this.budget = budget;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        counted(1);
      }
      return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      int n = super.read(buf, off, len);
      if (n > 0) {
        counted(n);
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long skipped = super.skip(n);
      counted(skipped);
      return skipped;
    }

    private void counted(long bytes) {
      read += bytes;
      while (read > reserved) {
        if (!budget.tryGrow(STEP)) {
          throw budget.refusal;
        }
        reserved += STEP;
      }
    }
  }
}
