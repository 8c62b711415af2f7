package io.tessera.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.config.ModelConfigs.ModelEntry;
import io.tessera.proto.serving.config.FileSystemStoragePathSourceConfig.ServableVersionPolicy.PolicyChoiceCase;
import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelConfigsTest {
  private static final Path SHARED = Path.of(System.getProperty("tessera.shared.dir", "../../shared"));

  private static ServingException invalid(String text) {
    return assertThrows(ServingException.class, () -> ModelConfigs.entries(ModelConfigs.parseText(text)));
  }

  @Test
  void parsesTheUpstreamGoodConfig() throws Exception {
    String text = Files.readString(SHARED.resolve("testdata/good_model_config.txt"))
        .replace("${TEST_HALF_PLUS_TWO_DIR}", "/m/two").replace("${TEST_HALF_PLUS_THREE_DIR}", "/m/three");
    List<ModelEntry> entries = ModelConfigs.entries(ModelConfigs.parseText(text));
    assertEquals(List.of("half_plus_two", "half_plus_three"), entries.stream().map(ModelEntry::name).toList());
    assertEquals("/m/three", entries.get(1).basePath());
    assertEquals(PolicyChoiceCase.LATEST, entries.get(0).policy().getPolicyChoiceCase());
    assertEquals(1, entries.get(0).policy().getLatest().getNumVersions());
  }

  @Test
  void malformedTextNamesTheMessageType() throws Exception {
    ServingException e = assertThrows(ServingException.class,
        () -> ModelConfigs.readFile(SHARED.resolve("testdata/bad_model_config.txt")));
    assertEquals(StatusCode.INVALID_ARGUMENT, e.code());
    assertTrue(e.getMessage().startsWith("Error parsing text-format tensorflow.serving.ModelServerConfig"), e.getMessage());
  }

  @Test
  void policiesAndLabelsAreKept() {
    List<ModelEntry> entries = ModelConfigs.entries(ModelConfigs.parseText("model_config_list { config { "
        + "name: 'm' base_path: '/b' model_platform: 'tensorflow' "
        + "model_version_policy { specific { versions: 4 versions: 7 } } "
        + "version_labels { key: 'stable' value: 4 } version_labels { key: 'canary' value: 7 } } }"));
    assertEquals(List.of(4L, 7L), entries.get(0).policy().getSpecific().getVersionsList());
    assertEquals(Map.of("stable", 4L, "canary", 7L), entries.get(0).labels());
  }

  @Test
  void rejectsWhatTfServingRejects() {
    assertTrue(invalid("model_config_list { config { name: 'm' base_path: '/b' } }").getMessage()
        .contains("neither ModelServerConfig::model_type (deprecated) nor model_platform"));
    assertTrue(invalid("model_config_list { config { name: 'm' base_path: '/b' model_platform: 'tflite' } }")
        .getMessage().contains("unsupported platform tflite"));
    assertTrue(invalid("model_config_list { config { name: 'm' base_path: 'rel' model_platform: 'tensorflow' } }")
        .getMessage().contains("absolute path"));
    assertTrue(invalid("model_config_list { config { name: 'm' base_path: '/a' model_platform: 'tensorflow' } "
        + "config { name: 'm' base_path: '/b' model_platform: 'tensorflow' } }").getMessage()
        .contains("Illegal to list model m multiple times"));
    assertEquals("tensorflow", ModelConfigs.TENSORFLOW);
    assertEquals(1, ModelConfigs.entries(ModelConfigs.parseText(
        "model_config_list { config { name: 'm' base_path: '/b' model_type: TENSORFLOW } }")).size());
  }
}
