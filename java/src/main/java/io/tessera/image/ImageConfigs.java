package io.tessera.image;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.TextFormat;
import com.google.protobuf.util.JsonFormat;
import io.tessera.proto.tessera.ImagePreprocessing;
import io.tessera.proto.tessera.OutputDType;
import io.tessera.proto.tessera.ValueMapping;
import io.tessera.proto.tf.TensorInfo;
import io.tessera.proto.tf.TensorShapeProto;
import io.tessera.servables.Signature;
import io.tessera.status.ServingException;
import io.tessera.tensor.DataType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Finds, parses and validates a model's image preprocessing config. Pure functions of the files
 * and the signature; every error is a ServingException INVALID_ARGUMENT naming the file and field.
 *
 * <p>Location: {@code <version_dir>/assets.extra/tessera_image.json} if present (that version
 * only), else {@code <model_base_path>/tessera_image.json} (all versions), else none. The content
 * is JSON (proto3 JSON mapping of tessera.ImagePreprocessing; unknown fields are errors) when its
 * first non-blank character is '{', text proto otherwise.
 */
public final class ImageConfigs {
  public static final String FILE_NAME = "tessera_image.json";
  /** Largest height or width accepted as a target size. */
  static final int MAX_SIDE = 16384;

  private ImageConfigs() {}

  /**
   * As {@link #forModel(Path, Path, Function)} with the one signature the caller already chose; a
   * config whose signature_name names another signature is then an error.
   */
  public static Optional<ImageConfig> forModel(Path basePath, Path versionDir, Signature signature) {
    return forModel(basePath, versionDir, name -> name.equals(signature.key()) ? signature : null);
  }

  /**
   * @param signatures signature by key, null when the model has none by that key
   * @return empty when the model has no config file
   */
  public static Optional<ImageConfig> forModel(Path basePath, Path versionDir,
      Function<String, Signature> signatures) {
    Path file = versionDir.resolve("assets.extra").resolve(FILE_NAME);
    if (!Files.isRegularFile(file)) {
      file = basePath.resolve(FILE_NAME);
      if (!Files.isRegularFile(file)) {
        return Optional.empty();
      }
    }
    return Optional.of(resolve(parse(file), file.toString(), basePath, signatures));
  }

  /** Reads a config file (JSON or text proto, auto-detected). */
  public static ImagePreprocessing parse(Path file) {
    try {
      return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    } catch (IOException e) {
      throw ServingException.invalidArgument("cannot read image config " + file + ": " + e);
    }
  }

  /** Parses config text; {@code source} names it in error messages. */
  public static ImagePreprocessing parse(String text, String source) {
    String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
    ImagePreprocessing.Builder builder = ImagePreprocessing.newBuilder();
    try {
      if (body.strip().startsWith("{")) {
        JsonFormat.parser().merge(body, builder);
      } else {
        TextFormat.merge(body, builder);
      }
    } catch (InvalidProtocolBufferException | TextFormat.ParseException | RuntimeException e) {
      throw ServingException.invalidArgument("invalid image config " + source + ": " + e.getMessage());
    }
    return builder.build();
  }

  /** Validates {@code config} against the model and fills in every default. */
  public static ImageConfig resolve(ImagePreprocessing config, String source, Path basePath,
      Function<String, Signature> signatures) {
    String signatureName = config.getSignatureName().isEmpty()
        ? Signature.DEFAULT_KEY : config.getSignatureName();
    Signature signature = signatures.apply(signatureName);
    if (signature == null) {
      throw error(source, "signature_name", "the model has no signature \"" + signatureName + "\"");
    }
    String alias = config.getInput().isEmpty() ? onlyImageInput(signature, source) : config.getInput();
    TensorInfo info = signature.def().getInputsMap().get(alias);
    if (info == null) {
      throw error(source, "input", "signature \"" + signatureName + "\" has no input \"" + alias
          + "\"; its inputs are " + signature.def().getInputsMap().keySet());
    }
    long[] dims = staticDims(info.getTensorShape(), source, alias);
    int height = side(config.getHeight(), dims[1], source, "height");
    int width = side(config.getWidth(), dims[2], source, "width");
    DataType dtype = dtype(config.getDtype(), DataType.forNumber(info.getDtypeValue()), source, alias);

    ValueMapping value = config.getValue();
    double scale = value.hasScale() ? value.getScale() : 1.0;
    double offset = value.hasOffset() ? value.getOffset() : 0.0;
    double[] mean = perChannel(value.getMeanList(), 0.0, source, "value.mean");
    double[] std = perChannel(value.getStdList(), 1.0, source, "value.std");
    double[] multiplier = new double[3];
    double[] addend = new double[3];
    for (int c = 0; c < 3; c++) {
      if (std[c] == 0) {
        throw error(source, "value.std", "must not be 0");
      }
      multiplier[c] = scale / std[c];
      addend[c] = (offset - mean[c]) / std[c];
      if (!Double.isFinite(multiplier[c]) || !Double.isFinite(addend[c])) {
        throw error(source, "value", "scale, offset, mean and std must be finite");
      }
    }

    List<String> keys = config.getImageKeysList().isEmpty()
        ? ImageConfig.DEFAULT_IMAGE_KEYS : config.getImageKeysList();
    if (keys.stream().anyMatch(String::isEmpty)) {
      throw error(source, "image_keys", "keys must not be empty");
    }
    ImageLimits limits = limits(config, source);
    if (config.getDefaultTopK() < 0) {
      throw error(source, "default_top_k", "must be >= 0, got " + config.getDefaultTopK());
    }
    Optional<Labels> labels = Optional.empty();
    if (!config.getLabelsFile().isEmpty()) {
      Path file = basePath.resolve(config.getLabelsFile());
      try {
        labels = Optional.of(Labels.read(file));
      } catch (ServingException e) {
        throw error(source, "labels_file", e.getMessage());
      }
    }
    return new ImageConfig(source, signatureName, alias, height, width, config.getResize(),
        config.getChannelOrder(), multiplier, addend, dtype, keys, limits, labels,
        config.getDefaultTopK());
  }

  private static String onlyImageInput(Signature signature, String source) {
    List<String> candidates = new ArrayList<>();
    for (Map.Entry<String, TensorInfo> e : signature.def().getInputsMap().entrySet()) {
      TensorShapeProto shape = e.getValue().getTensorShape();
      DataType dtype = DataType.forNumber(e.getValue().getDtypeValue());
      if (!shape.getUnknownRank() && shape.getDimCount() == 4
          && (dtype == DataType.DT_FLOAT || dtype == DataType.DT_UINT8)) {
        candidates.add(e.getKey());
      }
    }
    if (candidates.size() != 1) {
      throw error(source, "input", "cannot choose the image input: signature \"" + signature.key()
          + "\" has " + candidates.size() + " 4-D DT_FLOAT/DT_UINT8 inputs " + candidates.stream().sorted().toList()
          + "; name one");
    }
    return candidates.get(0);
  }

  /** [-1, H, W, 3] dims (-1 = dynamic); all -1 when the rank is unknown. */
  private static long[] staticDims(TensorShapeProto shape, String source, String alias) {
    if (shape.getUnknownRank()) {
      return new long[] {-1, -1, -1, -1};
    }
    if (shape.getDimCount() != 4) {
      throw error(source, "input", "input \"" + alias + "\" has rank " + shape.getDimCount()
          + "; an image input must be [batch, height, width, 3]");
    }
    long channels = shape.getDim(3).getSize();
    if (channels != 3 && channels != -1) {
      throw error(source, "input", "input \"" + alias + "\" has " + channels
          + " channels; Tessera produces 3 (RGB or BGR)");
    }
    return new long[] {-1, shape.getDim(1).getSize(), shape.getDim(2).getSize(), channels};
  }

  private static int side(int configured, long fromSignature, String source, String field) {
    if (configured < 0 || configured > MAX_SIDE) {
      throw error(source, field, "must be in [1, " + MAX_SIDE + "], got " + configured);
    }
    if (configured > 0 && fromSignature > 0 && configured != fromSignature) {
      throw error(source, field, configured + " contradicts the signature's static " + field + " " + fromSignature);
    }
    if (configured > 0) {
      return configured;
    }
    if (fromSignature <= 0 || fromSignature > MAX_SIDE) {
      throw error(source, field, "the signature's " + field + " is not static; set it");
    }
    return (int) fromSignature;
  }

  private static DataType dtype(OutputDType configured, DataType declared, String source, String alias) {
    if (configured == OutputDType.UNRECOGNIZED) {
      throw error(source, "dtype", "must be DT_FLOAT or DT_UINT8");
    }
    DataType wanted = switch (configured) {
      case DT_UINT8 -> DataType.DT_UINT8;
      case DT_FLOAT -> DataType.DT_FLOAT;
      default -> declared == DataType.DT_UINT8 ? DataType.DT_UINT8 : DataType.DT_FLOAT;
    };
    if (declared != null && declared != wanted) {
      throw error(source, "dtype", wanted + " contradicts input \"" + alias + "\" of dtype " + declared);
    }
    return wanted;
  }

  private static double[] perChannel(List<Double> values, double unset, String source, String field) {
    if (values.isEmpty()) {
      return new double[] {unset, unset, unset};
    }
    if (values.size() != 3) {
      throw error(source, field, "needs 3 values (one per output channel), got " + values.size());
    }
    return new double[] {values.get(0), values.get(1), values.get(2)};
  }

  private static ImageLimits limits(ImagePreprocessing config, String source) {
    return new ImageLimits(
        limit(config.getMaxEncodedBytes(), ImageLimits.DEFAULT_MAX_ENCODED_BYTES, source, "max_encoded_bytes"),
        limit(config.getMaxDecodedPixels(), ImageLimits.DEFAULT_MAX_DECODED_PIXELS, source, "max_decoded_pixels"),
        limit(config.getMaxDecodedBytes(), ImageLimits.DEFAULT_MAX_DECODED_BYTES, source, "max_decoded_bytes"),
        limit(config.getMaxRequestDecodedBytes(), ImageLimits.DEFAULT_MAX_REQUEST_DECODED_BYTES,
            source, "max_request_decoded_bytes"),
        (int) limit(config.getMaxImagesPerRequest(), ImageLimits.DEFAULT_MAX_IMAGES_PER_REQUEST,
            source, "max_images_per_request"),
        (int) limit(config.getMaxJpegScans(), ImageLimits.DEFAULT_MAX_JPEG_SCANS, source, "max_jpeg_scans"),
        limit(config.getMaxDecodeMillis(), ImageLimits.DEFAULT_MAX_DECODE_MILLIS, source, "max_decode_millis"));
  }

  private static long limit(long configured, long unset, String source, String field) {
    if (configured < 0) {
      throw error(source, field, "must be >= 0 (0 = default), got " + configured);
    }
    return configured == 0 ? unset : configured;
  }

  private static ServingException error(String source, String field, String message) {
    return ServingException.invalidArgument("image config " + source + ", field " + field + ": " + message);
  }
}
