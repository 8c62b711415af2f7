package io.tessera.image;

import io.tessera.proto.tessera.ChannelOrder;
import io.tessera.proto.tessera.ResizeMode;
import io.tessera.tensor.DataType;
import java.util.List;
import java.util.Optional;

/**
 * One model version's image preprocessing, resolved against its signature: every default is
 * filled in and every value checked (see tessera/image_preprocessing.proto for the file format).
 * Built by {@link ImageConfigs}; immutable and thread-safe.
 *
 * <p>The value mapping is folded to {@code out[c] = v * multiplier[c] + addend[c]} for output
 * channel c, with v the interpolated 0..255 source value.
 *
 * @param source the file the config was read from (for messages)
 * @param limits what one image and one request may ask of the decoder
 * @param labels labels by output index; empty when the model has no labels file
 */
public record ImageConfig(
    String source,
    String signatureName,
    String inputAlias,
    int height,
    int width,
    ResizeMode resize,
    ChannelOrder channelOrder,
    double[] multiplier,
    double[] addend,
    DataType dtype,
    List<String> imageKeys,
    ImageLimits limits,
    Optional<Labels> labels,
    int defaultTopK) {
  /** The key that means "the instance itself is {"b64": ...}". */
  public static final String BARE_B64 = "b64";
  public static final List<String> DEFAULT_IMAGE_KEYS = List.of("image_bytes", "images", BARE_B64);

  public ImageConfig {
    multiplier = multiplier.clone();
    addend = addend.clone();
    imageKeys = List.copyOf(imageKeys);
  }

  /** Encoded bytes per image, at most ({@link ImageLimits#maxEncodedBytes}). */
  public long maxEncodedBytes() {
    return limits.maxEncodedBytes();
  }

  /** True if a JSON object member named {@code key} holds an encoded image ({"b64": ...}). */
  public boolean isImageKey(String key) {
    return key.equals(inputAlias) || (!key.equals(BARE_B64) && imageKeys.contains(key));
  }

  /** True if an instance that is itself {"b64": ...} is an encoded image. */
  public boolean acceptsBareB64() {
    return imageKeys.contains(BARE_B64);
  }

  /** Elements per image in the tensor (height * width * 3). */
  public long elementsPerImage() {
    return (long) height * width * 3;
  }

  @Override
  public double[] multiplier() {
    return multiplier.clone();
  }

  @Override
  public double[] addend() {
    return addend.clone();
  }

  double multiplierAt(int channel) {
    return multiplier[channel];
  }

  double addendAt(int channel) {
    return addend[channel];
  }
}
