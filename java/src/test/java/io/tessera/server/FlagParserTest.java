package io.tessera.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

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
}
