package io.tessera.grpc;

import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.KnownLength;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.tessera.admission.MemoryBudget;
import io.tessera.core.ServingException;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Counts the bytes of gRPC request messages against {@link MemoryBudget#process()}: while a
 * message is parsed (its decompressed bytes, reserved as the parser reads them) and until its
 * call completes or is cancelled. A message that does not fit is refused with RESOURCE_EXHAUSTED
 * as soon as the budget is exceeded, having read (and inflated) no more than that.
 *
 * <p>Why a marshaller wrapper of our own: grpc-java has no hook between "a message frame arrived"
 * and "the message is parsed" but the method's request {@link MethodDescriptor.Marshaller}. Its
 * only size control, {@code maxInboundMessageSize}, is one static cap per server (TF Serving's is
 * 2 GiB, which we keep), checked against the decompressed size only while inflating — so a 400 KB
 * gzip frame can still become a 400 MB message. Reading through a counting stream inside
 * {@code parse} is the one place that sees each decompressed byte before it is copied into the
 * message, and can stop there. A frame of known length (uncompressed) is reserved whole and parsed
 * by the original marshaller unchanged, keeping its fast path.
 *
 * <p>Hand-off: grpc-java parses a message and passes it to the outermost listener's
 * {@code onMessage} synchronously, on one thread; the parse leaves its outcome in a thread-local
 * that {@link #interceptCall}'s listener takes there. This interceptor must therefore be the
 * last one added to the server builder (the outermost). On a refusal the marshaller returns the
 * default message, and the listener closes the call instead of delivering anything.
 */
final class RequestBudget implements ServerInterceptor {
  private static final String WHAT = "gRPC request message";
  /** Reservations grow in steps of this many bytes while a stream is read. */
  private static final int STEP = 64 << 10;
  /** The outcome of the last parse on this thread, until the listener takes it. */
  private static final ThreadLocal<Parsed> PARSED = new ThreadLocal<>();

  private record Parsed(MemoryBudget.Reservation reservation, ServingException refusal) {}

  /** {@code service} with every method's request marshaller counting. */
  static ServerServiceDefinition counting(ServerServiceDefinition service) {
    ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(service.getServiceDescriptor().getName());
    for (ServerMethodDefinition<?, ?> m : service.getMethods()) {
      b.addMethod(counting(m));
    }
    return b.build();
  }

  private static <ReqT, RespT> ServerMethodDefinition<ReqT, RespT> counting(ServerMethodDefinition<ReqT, RespT> m) {
    MethodDescriptor<ReqT, RespT> d = m.getMethodDescriptor();
    return ServerMethodDefinition.create(
        d.toBuilder().setRequestMarshaller(new Counting<>(d.getRequestMarshaller())).build(),
        m.getServerCallHandler());
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
      ServerCallHandler<ReqT, RespT> next) {
    ServerCall.Listener<ReqT> listener = next.startCall(call, headers);
    if (!(call.getMethodDescriptor().getRequestMarshaller() instanceof Counting)) {
      return listener;
    }
    return new Held<>(listener, call);
  }

  /** Holds the call's message reservation until the call ends; refuses what did not fit. */
  private static final class Held<ReqT, RespT> extends SimpleForwardingServerCallListener<ReqT> {
    private final ServerCall<ReqT, RespT> call;
    private volatile MemoryBudget.Reservation held;
    private boolean refused;

    Held(ServerCall.Listener<ReqT> delegate, ServerCall<ReqT, RespT> call) {
      super(delegate);
      this.call = call;
    }

    @Override
    public void onMessage(ReqT message) {
      Parsed parsed = PARSED.get();
      PARSED.remove();
      if (parsed != null && parsed.refusal() != null) {
        refused = true;
        String api = call.getMethodDescriptor().getBareMethodName();
        GrpcStatuses.logFailure(api, parsed.refusal());
        call.close(GrpcStatuses.toStatus(parsed.refusal()), new Metadata());
        return;
      }
      if (parsed != null) {
        held = parsed.reservation();
      }
      super.onMessage(message);
    }

    private void release() {
      MemoryBudget.Reservation r = held;
      if (r != null) {
        r.close();
      }
    }

    @Override
    public void onHalfClose() {
      if (!refused) {
        super.onHalfClose();
      }
    }

    @Override
    public void onCancel() {
      release();
      super.onCancel();
    }

    @Override
    public void onComplete() {
      release();
      super.onComplete();
    }
  }

  /** The original marshaller, reading through a stream that reserves what it reads. */
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
      Parsed stale = PARSED.get();
      if (stale != null && stale.reservation() != null) {
        stale.reservation().close(); // never taken by a listener (not expected to happen)
      }
      PARSED.remove();
      MemoryBudget.Reservation r = MemoryBudget.Reservation.empty();
      try {
        T message;
        if (stream instanceof KnownLength) {
          r.grow(available(stream), WHAT);
          message = delegate.parse(stream);
        } else {
          message = delegate.parse(new Reserving(stream, r));
        }
        PARSED.set(new Parsed(r, null));
        return message;
      } catch (ServingException refused) {
        r.close();
        PARSED.set(new Parsed(null, refused));
        return empty;
      } catch (RuntimeException e) {
        r.close();
        throw e;
      }
    }

    private static int available(InputStream stream) {
      try {
        return stream.available();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** Reserves every byte read, in {@link #STEP}s; throws the budget's refusal when full. */
  private static final class Reserving extends FilterInputStream {
    private final MemoryBudget.Reservation reservation;
    private long read;

    Reserving(InputStream in, MemoryBudget.Reservation reservation) {
      super(in);
      this.reservation = reservation;
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
      while (read > reservation.bytes()) {
        reservation.grow(STEP, WHAT);
      }
    }
  }
}
