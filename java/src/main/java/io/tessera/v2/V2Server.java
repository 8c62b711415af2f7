package io.tessera.v2;

import io.tessera.serving.ModelRef;
import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import java.util.List;

/**
 * What both halves report and how they read a call's model: the server's name, version and
 * extensions, the model metadata platform, model references from the protocol's version string,
 * and the HTTP status of an error (Triton's mapping). Pure.
 */
public final class V2Server {
  public static final String NAME = "tessera";
  /** Reported as the server version (the product's own, not TF Serving's). */
  public static final String VERSION = "0.1.0";
  /** Triton's names of the extensions Tessera implements. */
  public static final List<String> EXTENSIONS = List.of("binary_tensor_data", "classification", "model_repository");
  /** Model metadata's platform, as Triton reports SavedModels. */
  public static final String PLATFORM = "tensorflow_savedmodel";

  private V2Server() {}

  /**
   * The model a call names. The version string is not typed by the spec: empty = the latest
   * AVAILABLE version, digits = that version, anything else = a version label of the model config
   * (Tessera's extension, as {@code /v1/models/m/labels/l}).
   */
  public static ModelRef model(String name, String version) {
    if (name == null || name.isEmpty()) {
      throw ServingException.invalidArgument("missing model name");
    }
    if (version == null || version.isEmpty()) {
      return ModelRef.latest(name);
    }
    if (version.chars().allMatch(c -> c >= '0' && c <= '9')) {
      try {
        return new ModelRef(name, Long.parseLong(version), "");
      } catch (NumberFormatException e) {
        throw ServingException.invalidArgument("invalid model version '" + version + "'");
      }
    }
    return new ModelRef(name, null, version);
  }

  /**
   * Triton's HTTP status for an error: 404 not found, 501 unimplemented, 503 unavailable, 500
   * internal or unknown, 429 resource exhausted, 504 deadline exceeded, else 400.
   */
  public static int httpStatus(StatusCode code) {
    return switch (code) {
      case NOT_FOUND -> 404;
      case UNIMPLEMENTED -> 501;
      case UNAVAILABLE -> 503;
      case INTERNAL, UNKNOWN, DATA_LOSS -> 500;
      case RESOURCE_EXHAUSTED -> 429;
      case DEADLINE_EXCEEDED -> 504;
      default -> 400;
    };
  }
}
