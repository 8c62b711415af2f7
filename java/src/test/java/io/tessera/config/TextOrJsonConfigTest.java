package io.tessera.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.proto.serving.config.BatchingParameters;
import io.tessera.proto.serving.config.ModelServerConfig;
import io.tessera.proto.serving.config.MonitoringConfig;
import io.tessera.status.ServingException;
import org.junit.jupiter.api.Test;

class TextOrJsonConfigTest {
  @Test
  void readsTheDeploymentGuidesJsonExamplesAsPrinted() {
    ModelServerConfig models = (ModelServerConfig) TextOrJsonConfig.parse("models.json",
        "{\"model_config_list\": {\"config\": [{\"name\": \"image_classifier_v1\", "
            + "\"base_path\": \"/models/image_classifier/1\", \"model_platform\": \"tensorflow\"}]}}",
        ModelServerConfig.newBuilder());
    assertEquals("image_classifier_v1", models.getModelConfigList().getConfig(0).getName());
    BatchingParameters batching = (BatchingParameters) TextOrJsonConfig.parse("batching.json",
        "{\"max_batch_size\": 32, \"batch_timeout_micros\": 100000, \"num_batch_threads\": 4}",
        BatchingParameters.newBuilder());
    assertEquals(32, batching.getMaxBatchSize().getValue());
    assertEquals(100000, batching.getBatchTimeoutMicros().getValue());
  }

  @Test
  void readsTextFormatAsTfServingDoes() {
    MonitoringConfig monitoring = (MonitoringConfig) TextOrJsonConfig.parse("m.txt",
        "# comment\nprometheus_config { enable: true, path: \"/monitoring/prometheus/metrics\" }\n",
        MonitoringConfig.newBuilder());
    assertTrue(monitoring.getPrometheusConfig().getEnable());
  }

  @Test
  void errorsNameTheFileThePositionAndTheType() {
    ServingException text = assertThrows(ServingException.class, () -> TextOrJsonConfig.parse(
        "bad.txt", "improperly formatted file", ModelServerConfig.newBuilder()));
    assertTrue(text.getMessage().startsWith(
        "Error parsing text-format tensorflow.serving.ModelServerConfig in bad.txt at line 1"), text.getMessage());
    ServingException json = assertThrows(ServingException.class, () -> TextOrJsonConfig.parse(
        "bad.json", "{\"max_batch_size\": \"lots\"}", BatchingParameters.newBuilder()));
    assertTrue(json.getMessage().contains("bad.json"), json.getMessage());
    assertTrue(json.getMessage().contains("tensorflow.serving.BatchingParameters"), json.getMessage());
  }
}
