package io.tessera.serving;

import java.util.List;

/**
 * One GetModelMetadata, from any front end.
 *
 * @param fields the requested metadata fields; TF Serving supports only
 *     {@value Pipeline#SIGNATURE_DEF_FIELD} (REST always asks for it)
 */
public record MetadataCall(ModelRef model, List<String> fields, Origin origin) {
  public MetadataCall {
    fields = List.copyOf(fields);
  }
}
