package io.tessera.servables;

import io.tessera.proto.tf.ConfigProto;
import io.tessera.proto.tf.OptimizerOptions;
import io.tessera.proto.tf.RewriterConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * TF Serving's {@code --xla_cpu_compilation_enabled} and {@code --mixed_precision} as settings of
 * the session ConfigProto every SavedModel is loaded with. Pure apart from reading the CPU's
 * flags; each decision is reported as a log line.
 *
 * <p>{@code --mixed_precision=bfloat16} turns on Grappler's oneDNN bfloat16 rewrite ({@code
 * graph_options.rewrite_options.auto_mixed_precision_onednn_bfloat16}), as TF Serving's
 * {@code SavedModelBundleFactory} does, but only on a CPU that computes in bfloat16 natively
 * ({@code avx512_bf16} or {@code amx_bf16} in {@code /proc/cpuinfo}); elsewhere the rewrite would
 * emulate bfloat16 and run slower, so it is left off with a warning. Other values get TF
 * Serving's warning and change nothing.
 *
 * <p>{@code --xla_cpu_compilation_enabled} turns on XLA auto-clustering for the CPU ({@code
 * graph_options.optimizer_options.global_jit_level=ON_1} and {@code cpu_global_jit}). TF Serving
 * itself only lets models that ask for XLA ({@code jit_compile=True} functions) compile, and
 * disables XLA process-wide without the flag; here the flag compiles every clusterable part of the
 * graph. A level the session config file sets is kept. TensorFlow registers its XLA CPU device at
 * library load, so auto-clustering also needs {@code TF_XLA_FLAGS=--tf_xla_cpu_global_jit} in the
 * environment at start-up (the launcher sets it when it sees the flag); without it TensorFlow
 * ignores the level on the CPU, and that is warned about.
 */
public final class AccelerationFlags {
  /** The only --mixed_precision value TF Serving knows. */
  public static final String BFLOAT16 = "bfloat16";

  /** The config with the flags applied, and what was done and not done (one line per decision). */
  public record Applied(ConfigProto config, List<String> info, List<String> warnings) {}

  private AccelerationFlags() {}

  /**
   * @param cpuHasBfloat16 whether the CPU computes in bfloat16 natively ({@link #cpuHasBfloat16()})
   */
  public static Applied apply(ConfigProto base, boolean xlaCpu, String mixedPrecision, boolean cpuHasBfloat16) {
    return apply(base, xlaCpu, mixedPrecision, cpuHasBfloat16, System.getenv("TF_XLA_FLAGS"));
  }

  /** @param tfXlaFlags the TF_XLA_FLAGS environment variable TensorFlow started with (null: unset) */
  static Applied apply(ConfigProto base, boolean xlaCpu, String mixedPrecision, boolean cpuHasBfloat16,
      String tfXlaFlags) {
    ConfigProto.Builder config = base.toBuilder();
    List<String> info = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    if (xlaCpu) {
      OptimizerOptions.Builder optimizer = config.getGraphOptionsBuilder().getOptimizerOptionsBuilder();
      if (optimizer.getGlobalJitLevel() == OptimizerOptions.GlobalJitLevel.DEFAULT) {
        optimizer.setGlobalJitLevel(OptimizerOptions.GlobalJitLevel.ON_1);
      }
      optimizer.setCpuGlobalJit(true);
      info.add("XLA:CPU JIT enabled (--xla_cpu_compilation_enabled): graph_options.optimizer_options"
          + " global_jit_level=" + optimizer.getGlobalJitLevel() + ", cpu_global_jit=true");
      if (tfXlaFlags == null || !tfXlaFlags.contains("tf_xla_cpu_global_jit")) {
        warnings.add("--xla_cpu_compilation_enabled: TF_XLA_FLAGS lacks --tf_xla_cpu_global_jit, so TensorFlow"
            + " will not auto-cluster on the CPU (start through bin/tensorflow_model_server, which sets it)");
      }
    }
    if (!mixedPrecision.isEmpty()) {
      if (!mixedPrecision.equals(BFLOAT16)) {
        warnings.add(mixedPrecision + " auto mixed precision is not supported. Valid option: bfloat16");
      } else if (!cpuHasBfloat16) {
        warnings.add("--mixed_precision=bfloat16 ignored: this CPU has neither avx512_bf16 nor amx_bf16"
            + " (/proc/cpuinfo), so TensorFlow would emulate bfloat16");
      } else {
        config.getGraphOptionsBuilder().getRewriteOptionsBuilder()
            .setAutoMixedPrecisionOnednnBfloat16(RewriterConfig.Toggle.ON);
        info.add("Running inference with bfloat16 auto mixed precision (graph_options.rewrite_options"
            + ".auto_mixed_precision_onednn_bfloat16=ON; the CPU has native bfloat16)");
      }
    }
    return new Applied(config.build(), List.copyOf(info), List.copyOf(warnings));
  }

  /** True when {@code /proc/cpuinfo} lists avx512_bf16 or amx_bf16 (false where it cannot be read). */
  public static boolean cpuHasBfloat16() {
    try {
      return hasBfloat16Flag(Files.readString(Path.of("/proc/cpuinfo")));
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Whether a {@code /proc/cpuinfo} text's flags lines name a native bfloat16 feature. */
  static boolean hasBfloat16Flag(String cpuinfo) {
    for (String line : cpuinfo.split("\n")) {
      if (line.startsWith("flags")) {
        for (String flag : line.substring(line.indexOf(':') + 1).trim().split("\\s+")) {
          if (flag.equals("avx512_bf16") || flag.equals("amx_bf16")) {
            return true;
          }
        }
      }
    }
    return false;
  }
}
