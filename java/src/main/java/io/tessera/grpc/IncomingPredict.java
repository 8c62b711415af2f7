package io.tessera.grpc;

import io.tessera.proto.serving.PredictRequest;
import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import io.tessera.tensor.WireTensorData;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A parsed Predict request as {@link PredictRequestMarshaller} delivers it: the message with the
 * inputs' large dense fields moved out, and those fields' bytes in native memory by alias.
 *
 * <p>Ownership: the data belongs to this object until the service {@link #claim()}s it (then to the
 * pipeline) or {@link #close()} frees it — whichever comes first, exactly once, from any thread.
 * The marshaller has the call's end close it, so a request that is cancelled or refused before the
 * service runs leaves nothing behind.
 */
final class IncomingPredict implements AutoCloseable {
  private final PredictRequest request;
  private final boolean hasData;
  private final AtomicReference<Map<String, WireTensorData>> data;

  IncomingPredict(PredictRequest request, Map<String, WireTensorData> data) {
    this.request = request;
    this.hasData = !data.isEmpty();
    this.data = new AtomicReference<>(data);
  }

  /** The request; an input whose alias has data lacks that data's field. */
  PredictRequest request() {
    return request;
  }

  /**
   * Takes the moved data (empty when there is none).
   *
   * @throws ServingException CANCELLED when the call ended and freed it first
   */
  Map<String, WireTensorData> claim() {
    if (!hasData) {
      return Map.of();
    }
    Map<String, WireTensorData> taken = data.getAndSet(null);
    if (taken == null) {
      throw new ServingException(StatusCode.CANCELLED, "the call ended before its request was served");
    }
    return taken;
  }

  /** Frees the data unless it was claimed. Idempotent. */
  @Override
  public void close() {
    Map<String, WireTensorData> left = data.getAndSet(null);
    if (left != null) {
      left.values().forEach(WireTensorData::close);
    }
  }
}
