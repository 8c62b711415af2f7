package io.tessera.server.health;

import io.grpc.BindableService;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Health that follows real model availability (TF Serving's gRPC health service reports SERVING
 * regardless). Ready = every configured model has an AVAILABLE version; live = the process
 * serves requests. The gRPC {@code grpc.health.v1.Health} statuses (overall "" and the two TF
 * Serving services) are refreshed every {@code refreshMillis}; REST probes ask {@link #ready()}
 * directly. Thread-safe.
 */
public final class ServingHealth implements AutoCloseable {
  private static final List<String> SERVICES =
      List.of("", "tensorflow.serving.PredictionService", "tensorflow.serving.ModelService");

  private final BooleanSupplier modelsReady;
  private final HealthStatusManager grpc = new HealthStatusManager();
  private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "tessera-health");
    t.setDaemon(true);
    return t;
  });
  private volatile boolean shuttingDown;

  public ServingHealth(BooleanSupplier modelsReady, long refreshMillis) {
    this.modelsReady = modelsReady;
    refresh();
    refresher.scheduleWithFixedDelay(this::refresh, refreshMillis, refreshMillis, TimeUnit.MILLISECONDS);
  }

  public boolean ready() {
    return !shuttingDown && modelsReady.getAsBoolean();
  }

  public boolean live() {
    return !shuttingDown;
  }

  public BindableService grpcService() {
    return grpc.getHealthService();
  }

  /** Marks everything NOT_SERVING so load balancers stop sending traffic before the drain. */
  public void enterShutdown() {
    shuttingDown = true;
    refresh();
  }

  private void refresh() {
    ServingStatus status = ready() ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    for (String service : SERVICES) {
      grpc.setStatus(service, status);
    }
  }

  @Override
  public void close() {
    refresher.shutdownNow();
    grpc.enterTerminalState();
  }
}
