package io.tessera.core;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Turns aspired versions of one data type into another (TF Serving's UnarySourceAdapter), e.g. a
 * version directory into a Loader. The conversion must be cheap: expensive work belongs in
 * {@link Loader#load()}. Preserves the "omission means unload" contract of {@link Target}.
 */
public final class SourceAdapter<I, O> implements Target<I> {
  private final BiFunction<ServableId, I, O> adapt;
  private final Target<O> downstream;

  public SourceAdapter(BiFunction<ServableId, I, O> adapt, Target<O> downstream) {
    this.adapt = adapt;
    this.downstream = downstream;
  }

  @Override
  public void setAspiredVersions(String servableName, Map<Long, I> versions) {
    Map<Long, O> adapted = new LinkedHashMap<>();
    versions.forEach((v, data) -> adapted.put(v, adapt.apply(new ServableId(servableName, v), data)));
    downstream.setAspiredVersions(servableName, adapted);
  }
}
