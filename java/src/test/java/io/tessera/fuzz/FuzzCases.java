package io.tessera.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The case generator. Contract: {@code generate(seed, n)} depends on nothing but (seed, n) — each
 * case draws from its own {@link SplittableRandom} seeded by mixing the two — so any case can be
 * rebuilt and replayed alone by number. Case kinds: REST (about 55%) and gRPC (about 45%).
 * Every case's wire size is at most {@link #MAX_WIRE_BYTES}.
 */
public final class FuzzCases {
  public static final String HALF_PLUS_TWO = "half_plus_two";
  public static final String MOBILENET = "mobilenet";
  public static final String IMAGE = "image";
  static final int MAX_WIRE_BYTES = 1 << 20;

  private FuzzCases() {}

  public static FuzzCase generate(long seed, int number) {
    SplittableRandom r = new SplittableRandom(mix(seed, number));
    List<String> log = new ArrayList<>();
    if (r.nextInt(100) < 55) {
      FuzzCase.Rest rest = RestCases.generate(r, log);
      if (rest.wire().length > MAX_WIRE_BYTES) {
        log.add("(cut to 1 MiB)");
        rest = new FuzzCase.Rest(java.util.Arrays.copyOf(rest.wire(), MAX_WIRE_BYTES), rest.paths(), rest.heads(),
            false, true);
      }
      return new FuzzCase(seed, number, clean(log), rest, null);
    }
    FuzzCase.Grpc grpc = GrpcCases.generate(r, log);
    if (grpc.message().length > MAX_WIRE_BYTES) {
      log.add("(cut to 1 MiB)");
      grpc = new FuzzCase.Grpc(grpc.method(), java.util.Arrays.copyOf(grpc.message(), MAX_WIRE_BYTES), grpc.deadlineMs());
    }
    return new FuzzCase(seed, number, clean(log), null, grpc);
  }

  /** The description: the log joined, control characters shown as '?'. */
  private static String clean(List<String> log) {
    return String.join(" ", log).replaceAll("\\p{Cntrl}", "?");
  }

  /** SplitMix64 finaliser over seed and case number: close numbers give unrelated streams. */
  static long mix(long seed, long n) {
    long z = seed + 0x9E3779B97F4A7C15L * (n + 1);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
