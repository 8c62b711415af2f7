package io.tessera.http;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.tessera.metrics.ServingMetrics;
import io.tessera.nativebridge.HostBuffer;
import io.tessera.serving.ServerCore;
import io.tessera.status.ServingException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;

/**
 * The REST port's pages outside TF Serving's /v1 API: Prometheus metrics at the monitoring path
 * (only when --monitoring_config_file or --metrics_path enables it), Kubernetes probes ({@code /healthz}: the
 * process serves; {@code /readyz}: every configured model has an AVAILABLE version and the server is
 * not shutting down), the devices page, the image demo page at {@link #DEMO_PATH} and the list of
 * models it can serve at {@link #IMAGE_MODELS_PATH}. {@code GET /} is a 404, as in TF Serving
 * (model_servers/http_server.cc answers only /v1/ and the monitoring path), so an API client or a
 * probe of {@code /} sees what it would see there. Thread-safe.
 */
public final class ExtraPages {
  /** Where the demo page is served (under /tessera/, beside /tessera/devices). */
  public static final String DEMO_PATH = "/tessera/demo";
  /** The served models that take encoded images (those with a tessera_image.json). */
  public static final String IMAGE_MODELS_PATH = "/tessera/image_models";

  /** A rendered page: HTTP status, content type, body. */
  public record Page(int status, String contentType, byte[] body) {}

  private final ServerCore core;
  private final Set<String> metricsPaths;
  private final BooleanSupplier ready;
  private final byte[] demoPage;

  /**
   * @param metricsPaths paths of the Prometheus page on this port (none: metrics off here)
   * @param ready what /readyz reports: every model AVAILABLE and the server not shutting down
   */
  public ExtraPages(ServerCore core, Set<String> metricsPaths, BooleanSupplier ready) {
    this.core = core;
    this.metricsPaths = Set.copyOf(metricsPaths);
    this.ready = ready;
    this.demoPage = resource("/io/tessera/web/index.html");
  }

  /** The page for a GET of {@code path}, or null if there is none (404). */
  public Page get(String path) {
    if (metricsPaths.contains(path)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try {
        core.metrics().writeTo(out);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return new Page(200, ServingMetrics.CONTENT_TYPE, out.toByteArray());
    }
    switch (path) {
      case "/healthz" -> {
        return json(200, "{\"status\": \"alive\"}");
      }
      case "/readyz" -> {
        boolean ready = this.ready.getAsBoolean();
        return json(ready ? 200 : 503, "{\"ready\": " + ready + ", \"models\": " + quoted(core.modelNames()) + "}");
      }
      case "/tessera/devices" -> {
        return json(200, devices());
      }
      case IMAGE_MODELS_PATH -> {
        return json(200, imageModels());
      }
      case DEMO_PATH -> {
        return new Page(200, "text/html; charset=UTF-8", withDefaultModel());
      }
      default -> {
        return null;
      }
    }
  }

  /** Host buffer allocator and the devices each model's TensorFlow session sees (GPU placement check). */
  private String devices() {
    StringBuilder out = new StringBuilder("{\"host_allocator\": ");
    quote(HostBuffer.allocatorName(), out);
    out.append(", \"host_allocator_reason\": ");
    quote(HostBuffer.allocatorReason(), out);
    out.append(", \"models\": {");
    boolean first = true;
    for (String model : new TreeSet<>(core.modelNames())) {
      try (var handle = core.acquire(model, null, null)) {
        out.append(first ? "" : ", ");
        first = false;
        quote(model, out);
        out.append(": {\"version\": ").append(handle.id().version()).append(", \"devices\": [");
        List<String> devices = handle.servable().servable().devices();
        for (int i = 0; i < devices.size(); i++) {
          out.append(i == 0 ? "" : ", ");
          quote(devices.get(i), out);
        }
        out.append("]}");
      } catch (ServingException notAvailable) {
        // not AVAILABLE right now: left out
      }
    }
    return out.append("}}").toString();
  }

  /**
   * {"models": [{"name", "version", "input", "height", "width", "labels", "decoder"}, ...]}: every
   * model whose AVAILABLE version has image preprocessing, by name.
   */
  private String imageModels() {
    StringBuilder out = new StringBuilder("{\"models\": [");
    boolean first = true;
    for (String model : new TreeSet<>(core.modelNames())) {
      try (var handle = core.acquire(model, null, null)) {
        var images = handle.servable().images();
        if (images.isEmpty()) {
          continue;
        }
        var config = images.get().config();
        out.append(first ? "{\"name\": " : ", {\"name\": ");
        first = false;
        quote(model, out);
        out.append(", \"version\": ").append(handle.id().version()).append(", \"input\": ");
        quote(config.inputAlias(), out);
        out.append(", \"height\": ").append(config.height()).append(", \"width\": ").append(config.width())
            .append(", \"labels\": ").append(config.labels().isPresent()).append(", \"decoder\": ");
        quote(images.get().decoderName(), out);
        out.append('}');
      } catch (ServingException notAvailable) {
        // not AVAILABLE right now: left out
      }
    }
    return out.append("]}").toString();
  }

  private static void quote(String text, StringBuilder out) {
    out.append('"');
    JsonStringEncoder.getInstance().quoteAsString(text, out);
    out.append('"');
  }

  /** Fills the page's default model when exactly one model is served. */
  private byte[] withDefaultModel() {
    Set<String> models = core.modelNames();
    String html = new String(demoPage, StandardCharsets.UTF_8);
    if (models.size() == 1) {
      String name = models.iterator().next().replace("\"", "&quot;").replace("<", "&lt;");
      html = html.replace("<meta name=\"tessera-model\" content=\"\">",
          "<meta name=\"tessera-model\" content=\"" + name + "\">");
    }
    return html.getBytes(StandardCharsets.UTF_8);
  }

  private static Page json(int status, String body) {
    return new Page(status, "application/json", body.getBytes(StandardCharsets.UTF_8));
  }

  private static String quoted(Set<String> names) {
    StringBuilder out = new StringBuilder("[");
    for (String n : new TreeSet<>(names)) {
      if (out.length() > 1) {
        out.append(", ");
      }
      JsonStringEncoder.getInstance().quoteAsString(n, out.append('"'));
      out.append('"');
    }
    return out.append(']').toString();
  }

  private static byte[] resource(String name) {
    try (InputStream in = ExtraPages.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
