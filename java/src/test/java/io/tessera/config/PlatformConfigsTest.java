package io.tessera.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.protobuf.Int64Value;
import io.tessera.proto.serving.config.BatchingParameters;
import io.tessera.proto.serving.config.PlatformConfig;
import io.tessera.proto.serving.config.PlatformConfigMap;
import io.tessera.proto.serving.config.SavedModelBundleSourceAdapterConfig;
import io.tessera.proto.serving.config.SessionBundleConfig;
import io.tessera.status.ServingException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The three spellings of the Any in a PlatformConfigMap, and unknown fields refused. */
class PlatformConfigsTest {
  private static final String TYPE = "type.googleapis.com/tensorflow.serving.SavedModelBundleSourceAdapterConfig";

  @Test
  void jsonWithAtTypeReadsLikeText(@TempDir Path dir) throws Exception {
    Path json = Files.writeString(dir.resolve("platform.json"), "{\"platform_configs\": {\"tensorflow\": "
        + "{\"source_adapter_config\": {\"@type\": \"" + TYPE + "\", \"legacy_config\": {\"batching_parameters\": "
        + "{\"max_batch_size\": 8}, \"session_config\": {\"inter_op_parallelism_threads\": 2}}}}}}");
    SessionBundleConfig config = PlatformConfigs.read(json);
    assertEquals(8, config.getBatchingParameters().getMaxBatchSize().getValue());
    assertEquals(2, config.getSessionConfig().getInterOpParallelismThreads());
  }

  @Test
  void aPackedAnyWithTypeUrlAndBytesIsUnpacked() {
    SessionBundleConfig legacy = SessionBundleConfig.newBuilder().setBatchingParameters(
        BatchingParameters.newBuilder().setMaxBatchSize(Int64Value.of(16))).build();
    PlatformConfigMap map = PlatformConfigMap.newBuilder().putPlatformConfigs("tensorflow", PlatformConfig.newBuilder()
        .setSourceAdapterConfig(Any.pack(SavedModelBundleSourceAdapterConfig.newBuilder()
            .setLegacyConfig(legacy).build())).build()).build();
    assertEquals(legacy, PlatformConfigs.tensorflowConfig("test", map));
  }

  @Test
  void fieldsThisServerDoesNotKnowAreRefused() {
    // Field 7 of SessionBundleConfig (in_graph_batching_parameters, newer TF Serving) as raw bytes.
    byte[] unknown = {0x3a, 0x00};
    Any any = Any.newBuilder().setTypeUrl(TYPE).setValue(SavedModelBundleSourceAdapterConfig.newBuilder()
        .setLegacyConfig(SessionBundleConfig.getDefaultInstance()).build().toByteString()
        .concat(com.google.protobuf.ByteString.copyFrom(new byte[] {(byte) 0xc2, 0x3e, 0x02}))
        .concat(com.google.protobuf.ByteString.copyFrom(unknown))).build();
    PlatformConfigMap map = PlatformConfigMap.newBuilder().putPlatformConfigs("tensorflow",
        PlatformConfig.newBuilder().setSourceAdapterConfig(any).build()).build();
    ServingException e = assertThrows(ServingException.class, () -> PlatformConfigs.tensorflowConfig("test", map));
    assertTrue(e.getMessage().startsWith("--platform_config_file test: this server cannot apply SessionBundleConfig "
        + "fields [7]"), e.getMessage());
  }
}
