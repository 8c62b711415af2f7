package io.tessera.core;

import java.util.Map;

/**
 * Receives aspired versions from a Source (TF Serving's {@code Target<T>}).
 *
 * <p>Contract: each call carries the complete aspired set for {@code servableName}. A version
 * supplied earlier and omitted now is an implicit request to unload it ("omission means unload");
 * an empty map unloads every version of that servable. Calls may come from any thread.
 */
public interface Target<T> {
  void setAspiredVersions(String servableName, Map<Long, T> versions);
}
