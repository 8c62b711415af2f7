package io.tessera.image;

import io.tessera.servables.SavedModelBundle;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;

/**
 * The image preprocessing of each loaded version, read once per version from
 * {@code <base>/tessera_image.json} or {@code <version>/assets.extra/tessera_image.json}.
 * Entries go away with their bundle (weak keys). Thread-safe.
 */
public final class ImageModels {
  private final Map<SavedModelBundle, Optional<ImagePreprocessor>> byBundle =
      Collections.synchronizedMap(new WeakHashMap<>());

  /**
   * The version's preprocessor, or empty when the model has no image config.
   *
   * @throws io.tessera.status.ServingException INVALID_ARGUMENT naming the file and field when the
   *     config is invalid for this version's signature
   */
  public Optional<ImagePreprocessor> forBundle(SavedModelBundle bundle) {
    Optional<ImagePreprocessor> cached = byBundle.get(bundle);
    if (cached != null) {
      return cached;
    }
    Optional<ImagePreprocessor> loaded = ImageConfigs
        .forModel(bundle.exportDir().getParent(), bundle.exportDir(), name -> bundle.signatures().get(name))
        .map(ImagePreprocessor::new);
    byBundle.put(bundle, loaded);
    return loaded;
  }
}
