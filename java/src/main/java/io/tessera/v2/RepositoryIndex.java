package io.tessera.v2;

import io.tessera.core.ServableState;
import io.tessera.core.VersionStatus;
import io.tessera.serving.ModelRepository;
import io.tessera.status.StatusCode;
import java.util.ArrayList;
import java.util.List;

/**
 * The repository index as the protocol lists it: one row per known version of each model, with
 * Triton's states (READY, LOADING, UNLOADING, UNAVAILABLE) and a reason for the unavailable
 * ones (the load error, "unloaded", or "not loaded" for a configured model without a version
 * yet). An unloaded model stays listed, UNAVAILABLE; {@code readyOnly} keeps the READY rows. Pure.
 */
public final class RepositoryIndex {
  /** One row. */
  public record Row(String name, String version, String state, String reason) {}

  private RepositoryIndex() {}

  public static List<Row> rows(List<ModelRepository.Entry> entries, boolean readyOnly) {
    List<Row> rows = new ArrayList<>();
    for (ModelRepository.Entry e : entries) {
      if (e.versions().isEmpty()) {
        rows.add(new Row(e.name(), "", "UNAVAILABLE", e.configured() ? "not loaded" : "unloaded"));
      }
      for (VersionStatus v : e.versions()) {
        rows.add(new Row(e.name(), Long.toString(v.version()), state(v.state()), reason(v, e.configured())));
      }
    }
    return readyOnly ? rows.stream().filter(r -> r.state().equals("READY")).toList() : rows;
  }

  private static String state(ServableState state) {
    return switch (state) {
      case AVAILABLE -> "READY";
      case START, LOADING -> "LOADING";
      case UNLOADING -> "UNLOADING";
      case END -> "UNAVAILABLE";
    };
  }

  private static String reason(VersionStatus v, boolean configured) {
    if (v.state() != ServableState.END) {
      return "";
    }
    return v.errorCode() != StatusCode.OK ? v.errorMessage() : configured ? "unloaded (version removed)" : "unloaded";
  }
}
