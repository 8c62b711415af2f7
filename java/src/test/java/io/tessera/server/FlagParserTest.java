package io.tessera.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.status.ServingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlagParserTest {
  @Test
  void tfServingSyntaxAndDefaults() {
    FlagParser.Result r = FlagParser.parse(ServerFlags.ALL, new String[] {
        "--port=9000", "--rest_api_enable_cors_support", "--enable_model_warmup=FALSE",
        "--model_base_path=/m", "--file_system_poll_wait_seconds=0"});
    assertNull(r.error());
    assertEquals(9000, r.getInt("port"));
    assertEquals(true, r.getBool("rest_api_enable_cors_support"));
    assertEquals(false, r.getBool("enable_model_warmup"));
    assertEquals("default", r.get("model_name"));
    assertEquals("serve", r.get("saved_model_tags"));
    assertEquals(0, r.getInt("rest_api_port"));
    assertEquals(30000, r.getInt("rest_api_timeout_in_ms"));
    assertEquals(5, r.getInt("max_num_load_retries"));
  }

  @Test
  void unknownFlagsAreReportedNotFatal() {
    FlagParser.Result r = FlagParser.parse(ServerFlags.ALL, new String[] {"--no_such_flag=1", "stray", "--port=1"});
    assertNull(r.error());
    assertEquals(List.of("--no_such_flag=1", "stray"), r.unknown());
    assertEquals(1, r.getInt("port"));
  }

  @Test
  void malformedValuesAreFatal() {
    assertNotNull(FlagParser.parse(ServerFlags.ALL, new String[] {"--port=abc"}).error());
    assertNotNull(FlagParser.parse(ServerFlags.ALL, new String[] {"--enable_batching=maybe"}).error());
    assertNotNull(FlagParser.parse(ServerFlags.ALL, new String[] {"--port"}).error());
  }

  @Test
  void deploymentGuideSpellingsAreAliases() {
    ServerOptions options = ServerOptions.fromFlags(FlagParser.parse(ServerFlags.ALL, new String[] {
        "--grpc_api_port=9123", "--model_base_path=/m", "--enable_metrics=true", "--metrics_address=127.0.0.1:8502",
        "--rest_api_bind_address=127.0.0.1"}));
    assertEquals(9123, options.grpcPort());
    assertEquals("127.0.0.1:8502", options.ops().metricsAddress());
    assertEquals("127.0.0.1", options.restBindAddress());
    assertEquals("0.0.0.0", options.grpcBindAddress());
    assertNull(ServerOptions.fromFlags(FlagParser.parse(ServerFlags.ALL, new String[] {"--model_base_path=/m"}))
        .ops().metricsAddress(), "no metrics listener unless --enable_metrics");
  }

  @Test
  void everyTfServingFlagIsKnown() {
    assertEquals(48, ServerFlags.ALL.stream().filter(f -> !f.help().startsWith("[Tessera]")).count());
  }

  @Test
  void usageMarksEveryIgnoredFlagWithItsReasonAndNoOtherFlag() {
    String usage = FlagParser.usage(ServerFlags.ALL);
    for (Flag f : ServerFlags.ALL) {
      String line = usage.lines().filter(l -> l.startsWith("\t--" + f.name() + "=")).findFirst().orElseThrow();
      assertEquals(!f.implemented(), line.contains("(accepted and ignored: "), line);
      assertTrue(f.implemented() || !f.ignoredBecause().isBlank(), f.name());
    }
  }

  /** TF Serving's server.cc: with a platform config file the flag branch and its checks do not run. */
  @Test
  void platformConfigFileReplacesTheSessionAndBatchingFlags(@TempDir Path dir) throws Exception {
    Path platform = Files.writeString(dir.resolve("platform.txt"), "platform_configs { key: \"tensorflow\" value { "
        + "source_adapter_config { [type.googleapis.com/tensorflow.serving.SavedModelBundleSourceAdapterConfig] { "
        + "legacy_config { session_config { inter_op_parallelism_threads: 3 } saved_model_tags: \"gpu\" "
        + "saved_model_tags: \"serve\" remove_unused_fields_from_bundle_metagraph: true } } } } }");
    ServerOptions options = ServerOptions.fromFlags(FlagParser.parse(ServerFlags.ALL, new String[] {
        "--model_base_path=/m", "--platform_config_file=" + platform,
        "--batching_parameters_file=/not/read", "--tensorflow_session_parallelism=1",
        "--tensorflow_intra_op_parallelism=1", "--tensorflow_inter_op_parallelism=1", "--saved_model_tags=x"}));
    assertEquals(3, options.sessionOptions().config().getInterOpParallelismThreads());
    assertEquals(0, options.sessionOptions().config().getIntraOpParallelismThreads());
    assertEquals(List.of("gpu", "serve"), options.sessionOptions().tags());
    assertNull(options.batching());
    assertEquals(false, options.enableWarmup(), "SessionBundleConfig's default, not the flag's");
    assertTrue(options.lifecycle().removeUnusedMetaGraphFields());
    ServingException noBatchingFlagCheck = assertThrows(ServingException.class, () -> ServerOptions.fromFlags(
        FlagParser.parse(ServerFlags.ALL, new String[] {"--model_base_path=/m", "--batching_parameters_file=/x"})));
    assertEquals("--batching_parameters_file is set without --enable_batching", noBatchingFlagCheck.getMessage());
  }

  @Test
  void loadThreadFlagsReachTheLifecycleOptions() {
    ServerOptions options = ServerOptions.fromFlags(FlagParser.parse(ServerFlags.ALL, new String[] {
        "--model_base_path=/m", "--num_load_threads=2", "--num_unload_threads=3",
        "--remove_unused_fields_from_bundle_metagraph=false"}));
    assertEquals(new ServerOptions.LifecycleOptions(2, 3, false), options.lifecycle());
    assertEquals(new ServerOptions.LifecycleOptions(0, 0, true), ServerOptions.fromFlags(
        FlagParser.parse(ServerFlags.ALL, new String[] {"--model_base_path=/m"})).lifecycle());
  }
}
