package io.tessera.serving;

import io.tessera.image.ImageConfigs;
import io.tessera.image.ImagePreprocessor;
import io.tessera.requestlog.RequestLogger;
import io.tessera.servables.SavedModelBundle;
import io.tessera.servables.Servable;
import java.util.Optional;

/**
 * One loaded model version as the manager serves it: the servable the pipeline runs, plus the
 * per-version state its loader built (the image preprocessor with its labels, when the model has
 * a tessera_image.json) and its request log (the model's logging_config, replaced in place when a
 * config reload changes it). Built once by the version's loader, released with it: {@link #close}
 * closes what the version owns (the image preprocessor's native graph, the SavedModel session, a
 * downloaded copy of its files), then drains and closes its request log.
 * Safe for concurrent requests.
 */
public final class ServedModel implements AutoCloseable {
  private final Servable servable;
  private final Optional<ImagePreprocessor> images;
  private final AutoCloseable owned;
  /** Null when the model logs nothing; replaced under this object's lock, read without it. */
  private volatile RequestLogger requestLog;

  /**
   * @param owned closed by {@link #close} (the bundle behind {@code servable}); may be null
   */
  public ServedModel(Servable servable, Optional<ImagePreprocessor> images, AutoCloseable owned) {
    this.servable = servable;
    this.images = images;
    this.owned = owned;
  }

  /**
   * The served form of a freshly loaded bundle: reads its image config from
   * {@code <base>/tessera_image.json} or {@code <version>/assets.extra/tessera_image.json}. On
   * failure (INVALID_ARGUMENT naming the file and field) the bundle is closed and the error
   * propagates, failing the load.
   */
  public static ServedModel of(SavedModelBundle bundle) {
    return of(bundle, () -> {});
  }

  /**
   * As {@link #of(SavedModelBundle)} for a version read from a local copy (a download of a
   * remote version): {@link #close} closes {@code files} after the bundle.
   */
  public static ServedModel of(SavedModelBundle bundle, AutoCloseable files) {
    try {
      Optional<ImagePreprocessor> images = ImageConfigs
          .forModel(bundle.exportDir().getParent(), bundle.exportDir(), name -> bundle.signatures().get(name))
          .map(ImagePreprocessor::new);
      return new ServedModel(bundle, images, () -> {
        try {
          bundle.close();
        } finally {
          files.close();
        }
      });
    } catch (RuntimeException | Error e) {
      bundle.close();
      throw e;
    }
  }

  public Servable servable() {
    return servable;
  }

  /** The version's image preprocessing, or empty when it takes no encoded images. */
  public Optional<ImagePreprocessor> images() {
    return images;
  }

  /** The version's request log, or null when its model logs nothing. */
  public RequestLogger requestLog() {
    return requestLog;
  }

  /**
   * Installs {@code next} (null = stop logging) and closes the previous log after draining it.
   * Records submitted to the old log while it closes are dropped and counted.
   */
  public void replaceRequestLog(RequestLogger next) {
    RequestLogger previous;
    synchronized (this) {
      previous = requestLog;
      requestLog = next;
    }
    if (previous != null && previous != next) {
      previous.close();
    }
  }

  @Override
  public void close() {
    images.ifPresent(ImagePreprocessor::close);
    try {
      if (owned != null) {
        owned.close();
      }
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("closing " + owned + " failed", e);
    } finally {
      replaceRequestLog(null);
    }
  }
}
