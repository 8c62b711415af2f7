package io.tessera.server;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * One start-up log line saying how the JVM actually runs: version, maximum heap, the effective
 * values of the options bin/.tessera-java sets by default (after any TESSERA_JAVA_OPTS override),
 * and the JVM's input arguments. Read-only; call once.
 */
final class JvmReport {
  /** The options the launcher sets by default (README "Limits and hardening"). */
  private static final List<String> OPTIONS = List.of("MaxRAMPercentage", "MaxDirectMemorySize", "UseG1GC",
      "G1PeriodicGCInterval", "ExitOnOutOfMemoryError");

  private JvmReport() {}

  static String describe() {
    List<String> effective = new ArrayList<>();
    HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
    for (String option : OPTIONS) {
      try {
        effective.add(option + "=" + hotspot.getVMOption(option).getValue());
      } catch (IllegalArgumentException | NullPointerException notThisJvm) {
        // not a HotSpot option on this JVM: nothing to report
      }
    }
    String mallocArenas = System.getenv("MALLOC_ARENA_MAX");
    return "JVM " + Runtime.version() + ": max heap " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB, "
        + Runtime.getRuntime().availableProcessors() + " CPUs; " + String.join(", ", effective)
        + "; MALLOC_ARENA_MAX=" + (mallocArenas == null ? "unset" : mallocArenas)
        + "; arguments " + ManagementFactory.getRuntimeMXBean().getInputArguments();
  }
}
