package io.tessera.servables;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.proto.tf.ConfigProto;
import io.tessera.proto.tf.OptimizerOptions;
import io.tessera.proto.tf.RewriterConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** --xla_cpu_compilation_enabled and --mixed_precision as ConfigProto fields, and what is logged. */
class AccelerationFlagsTest {
  @Test
  void offByDefault() {
    AccelerationFlags.Applied a = AccelerationFlags.apply(ConfigProto.getDefaultInstance(), false, "", true);
    assertEquals(ConfigProto.getDefaultInstance(), a.config());
    assertEquals(List.of(), a.info());
    assertEquals(List.of(), a.warnings());
  }

  @Test
  void xlaSetsTheJitLevelUnlessTheConfigFileDid() {
    ConfigProto on = AccelerationFlags.apply(ConfigProto.getDefaultInstance(), true, "", false).config();
    assertEquals(OptimizerOptions.GlobalJitLevel.ON_1, on.getGraphOptions().getOptimizerOptions().getGlobalJitLevel());
    assertTrue(on.getGraphOptions().getOptimizerOptions().getCpuGlobalJit());
    ConfigProto file = ConfigProto.newBuilder().setIntraOpParallelismThreads(3).setGraphOptions(
        io.tessera.proto.tf.GraphOptions.newBuilder().setOptimizerOptions(
            OptimizerOptions.newBuilder().setGlobalJitLevel(OptimizerOptions.GlobalJitLevel.ON_2))).build();
    ConfigProto kept = AccelerationFlags.apply(file, true, "", false).config();
    assertEquals(OptimizerOptions.GlobalJitLevel.ON_2, kept.getGraphOptions().getOptimizerOptions().getGlobalJitLevel());
    assertEquals(3, kept.getIntraOpParallelismThreads());
  }

  @Test
  void xlaWarnsWhenTensorFlowStartedWithoutCpuAutoClustering() {
    ConfigProto none = ConfigProto.getDefaultInstance();
    assertEquals(1, AccelerationFlags.apply(none, true, "", false, null).warnings().size());
    assertEquals(1, AccelerationFlags.apply(none, true, "", false, "--tf_xla_auto_jit=2").warnings().size());
    assertEquals(List.of(), AccelerationFlags.apply(none, true, "", false, "--tf_xla_cpu_global_jit").warnings());
  }

  @Test
  void bfloat16OnlyWhereTheCpuHasIt() {
    AccelerationFlags.Applied native16 = AccelerationFlags.apply(ConfigProto.getDefaultInstance(), false, "bfloat16", true);
    assertEquals(RewriterConfig.Toggle.ON,
        native16.config().getGraphOptions().getRewriteOptions().getAutoMixedPrecisionOnednnBfloat16());
    assertTrue(native16.info().get(0).startsWith("Running inference with bfloat16 auto mixed precision"));
    AccelerationFlags.Applied emulated = AccelerationFlags.apply(ConfigProto.getDefaultInstance(), false, "bfloat16", false);
    assertFalse(emulated.config().getGraphOptions().hasRewriteOptions());
    assertEquals(1, emulated.warnings().size());
    AccelerationFlags.Applied fp16 = AccelerationFlags.apply(ConfigProto.getDefaultInstance(), false, "fp16", true);
    assertEquals(ConfigProto.getDefaultInstance(), fp16.config());
    assertEquals(List.of("fp16 auto mixed precision is not supported. Valid option: bfloat16"), fp16.warnings());
  }

  @Test
  void readsTheCpuFlagsLine() {
    assertTrue(AccelerationFlags.hasBfloat16Flag("processor : 0\nflags\t\t: fpu sse avx512f avx512_bf16 amx_tile\n"));
    assertTrue(AccelerationFlags.hasBfloat16Flag("flags : fpu amx_bf16\n"));
    assertFalse(AccelerationFlags.hasBfloat16Flag("flags : fpu avx512f avx512_bf16x\nbugs : avx512_bf16\n"));
  }

  @Test
  void theFieldsKeepTensorFlowsNumbers() throws Exception {
    // TensorFlow's own generated classes (tensorflow-core-native) read our bytes as the same settings.
    ConfigProto ours = AccelerationFlags.apply(ConfigProto.getDefaultInstance(), true, "bfloat16", true).config();
    org.tensorflow.proto.ConfigProto tf = org.tensorflow.proto.ConfigProto.parseFrom(ours.toByteArray());
    assertEquals(org.tensorflow.proto.RewriterConfig.Toggle.ON,
        tf.getGraphOptions().getRewriteOptions().getAutoMixedPrecisionOnednnBfloat16());
    assertEquals(org.tensorflow.proto.OptimizerOptions.GlobalJitLevel.ON_1,
        tf.getGraphOptions().getOptimizerOptions().getGlobalJitLevel());
    assertTrue(tf.getGraphOptions().getOptimizerOptions().getCpuGlobalJit());
    assertTrue(tf.getUnknownFields().asMap().isEmpty());
  }
}
