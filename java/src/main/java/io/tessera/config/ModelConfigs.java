package io.tessera.config;

import com.google.protobuf.TextFormat;
import io.tessera.proto.serving.config.FileSystemStoragePathSourceConfig.ServableVersionPolicy;
import io.tessera.proto.serving.config.LoggingConfig;
import io.tessera.proto.serving.config.ModelConfig;
import io.tessera.proto.serving.config.ModelServerConfig;
import io.tessera.proto.serving.config.ModelType;
import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads and validates {@code ModelServerConfig} (TF Serving's --model_config_file) into
 * {@link ModelEntry} values. Text format today; a JSON reader can be added beside
 * {@link #parseText}. Pure apart from {@link #readFile}; errors are {@link ServingException}s
 * with TF Serving's wording.
 */
public final class ModelConfigs {
  /** The only platform the stock tensorflow_model_server serves. */
  public static final String TENSORFLOW = "tensorflow";

  private static final java.util.regex.Pattern URI_SCHEME =
      java.util.regex.Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://.*");

  private ModelConfigs() {}

  /**
   * One validated model: base path (a normalized absolute path, or a URI such as s3://bucket/m
   * whose scheme the sources check), version policy (never unset), labels, and its
   * logging_config as given (checked by the request log's settings, not here).
   */
  public record ModelEntry(String name, String basePath, ServableVersionPolicy policy,
      Map<String, Long> labels, LoggingConfig logging) {}

  public static ModelServerConfig readFile(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ServingException(StatusCode.NOT_FOUND, "Could not read model config file " + file + ": " + e);
    }
    return (ModelServerConfig) TextOrJsonConfig.parse(file.toString(), text, ModelServerConfig.newBuilder());
  }

  /** Text format or JSON (the deployment guide's form), auto-detected. */
  public static ModelServerConfig parseText(String text) {
    return (ModelServerConfig) TextOrJsonConfig.parse("model config", text, ModelServerConfig.newBuilder());
  }

  /** The config --model_name/--model_base_path stand for (TF Serving's BuildSingleModelConfig). */
  public static ModelServerConfig singleModel(String name, String basePath) {
    ModelServerConfig.Builder b = ModelServerConfig.newBuilder();
    b.getModelConfigListBuilder().addConfig(ModelConfig.newBuilder()
        .setName(name).setBasePath(basePath).setModelPlatform(TENSORFLOW));
    return b.build();
  }

  /** Validates a config list; an empty config yields no models. */
  public static List<ModelEntry> entries(ModelServerConfig config) {
    if (config.hasCustomModelConfig()) {
      throw ServingException.unimplemented("ModelServer does not yet support custom model config.");
    }
    List<ModelEntry> entries = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (ModelConfig m : config.getModelConfigList().getConfigList()) {
      if (m.getName().isEmpty()) {
        throw ServingException.invalidArgument("Model config has an empty name: " + TextFormat.shortDebugString(m));
      }
      if (!names.add(m.getName())) {
        throw ServingException.invalidArgument(
            "Illegal to list model " + m.getName() + " multiple times in config list");
      }
      String platform = platformOf(m);
      if (!platform.equals(TENSORFLOW)) {
        throw ServingException.invalidArgument("Model " + m.getName() + " requested unsupported platform "
            + platform + "; this server supports only model_platform: \"" + TENSORFLOW + "\"");
      }
      if (m.getBasePath().isEmpty() || !(isUri(m.getBasePath()) || Path.of(m.getBasePath()).isAbsolute())) {
        throw ServingException.invalidArgument("Expected model " + m.getName()
            + " to have an absolute path or URI; got base_path()=" + m.getBasePath());
      }
      String base = isUri(m.getBasePath()) ? m.getBasePath() : Path.of(m.getBasePath()).normalize().toString();
      entries.add(new ModelEntry(m.getName(), base, policyOf(m),
          Map.copyOf(new TreeMap<>(m.getVersionLabelsMap())), m.getLoggingConfig()));
    }
    return entries;
  }

  /** True for {@code scheme://...} (s3://, gs://, file://); which schemes are served is the sources' call. */
  public static boolean isUri(String basePath) {
    return URI_SCHEME.matcher(basePath).matches();
  }

  /** --model_base_path as the single-model config gets it: a URI unchanged, a path made absolute. */
  public static String absoluteBasePath(String flag) {
    return isUri(flag) ? flag : Path.of(flag).toAbsolutePath().normalize().toString();
  }

  private static String platformOf(ModelConfig m) {
    if (!m.getModelPlatform().isEmpty()) {
      if (m.getModelType() != ModelType.MODEL_TYPE_UNSPECIFIED) {
        throw ServingException.invalidArgument(
            "Illegal setting both ModelServerConfig::model_type (deprecated) and model_platform.");
      }
      return m.getModelPlatform();
    }
    if (m.getModelType() == ModelType.TENSORFLOW) {
      return TENSORFLOW;
    }
    throw ServingException.invalidArgument(
        "Illegal setting neither ModelServerConfig::model_type (deprecated) nor model_platform.");
  }

  private static ServableVersionPolicy policyOf(ModelConfig m) {
    ServableVersionPolicy p = m.getModelVersionPolicy();
    if (p.getPolicyChoiceCase() == ServableVersionPolicy.PolicyChoiceCase.POLICYCHOICE_NOT_SET) {
      return ServableVersionPolicy.newBuilder()
          .setLatest(ServableVersionPolicy.Latest.newBuilder().setNumVersions(1)).build();
    }
    return p;
  }
}
