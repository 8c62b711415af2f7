package io.tessera.requestlog;

/**
 * What a {@link RequestLogger} reports (the server's metrics implement it). Thread-safe and cheap:
 * called on request threads (enqueue, drop) and on writer threads.
 */
public interface RequestLogStats {
  /**
   * One sampled record's outcome: TF Serving's {@code request_log_count{model_name, status_code}}
   * with OK (written), RESOURCE_EXHAUSTED (queue full or disk full) or another code (write failed).
   */
  void logged(String model, String statusCode);

  /** The model's records waiting in log queues changed by {@code delta}. */
  void queueDepth(String model, int delta);

  /** Reports nothing (tests, tools). */
  RequestLogStats NONE = new RequestLogStats() {
    @Override
    public void logged(String model, String statusCode) {}

    @Override
    public void queueDepth(String model, int delta) {}
  };
}
