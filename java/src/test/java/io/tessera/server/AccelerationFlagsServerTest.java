package io.tessera.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.proto.tf.ConfigProto;
import io.tessera.proto.tf.OptimizerOptions;
import io.tessera.proto.tf.RewriterConfig;
import io.tessera.servables.AccelerationFlags;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line's --xla_cpu_compilation_enabled and --mixed_precision reach the session ConfigProto. */
class AccelerationFlagsServerTest {
  private static ConfigProto sessionConfig(String... args) {
    FlagParser.Result r = FlagParser.parse(ServerFlags.ALL, args);
    assertEquals(null, r.error());
    return ServerOptions.fromFlags(r).sessionOptions().config();
  }

  @Test
  void flagsReachTheSessionConfig(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("session.pbtxt"), "intra_op_parallelism_threads: 2\n");
    ConfigProto config = sessionConfig("--model_base_path=/models/m", "--xla_cpu_compilation_enabled=true",
        "--mixed_precision=bfloat16", "--tensorflow_session_config_file=" + file);
    assertEquals(OptimizerOptions.GlobalJitLevel.ON_1, config.getGraphOptions().getOptimizerOptions().getGlobalJitLevel());
    assertEquals(2, config.getIntraOpParallelismThreads(), "the file's settings stay");
    RewriterConfig.Toggle expected = AccelerationFlags.cpuHasBfloat16() ? RewriterConfig.Toggle.ON
        : RewriterConfig.Toggle.DEFAULT;
    assertEquals(expected, config.getGraphOptions().getRewriteOptions().getAutoMixedPrecisionOnednnBfloat16());
  }

  @Test
  void withoutTheFlagsNothingChanges() {
    ConfigProto config = sessionConfig("--model_base_path=/models/m");
    assertTrue(!config.hasGraphOptions());
  }
}
