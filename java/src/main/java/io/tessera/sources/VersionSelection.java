package io.tessera.sources;

import io.tessera.proto.serving.config.FileSystemStoragePathSourceConfig.ServableVersionPolicy;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Applies a ServableVersionPolicy to the versions found on disk (TF Serving's
 * FileSystemStoragePathSource): latest{n} keeps the n highest (n below 1 counts as 1), all keeps
 * every one, specific keeps the listed versions that exist. Pure.
 */
public final class VersionSelection {
  private VersionSelection() {}

  public static <P> NavigableMap<Long, P> select(ServableVersionPolicy policy, NavigableMap<Long, P> found) {
    NavigableMap<Long, P> aspired = new TreeMap<>();
    switch (policy.getPolicyChoiceCase()) {
      case ALL -> aspired.putAll(found);
      case SPECIFIC -> {
        for (long v : policy.getSpecific().getVersionsList()) {
          if (found.containsKey(v)) {
            aspired.put(v, found.get(v));
          }
        }
      }
      default -> {
        int n = Math.max(1, policy.getLatest().getNumVersions());
        for (Long v : found.descendingKeySet()) {
          if (aspired.size() == n) {
            break;
          }
          aspired.put(v, found.get(v));
        }
      }
    }
    return aspired;
  }

  /** Versions a specific{} policy asks for that are not on disk (empty for other policies). */
  public static Set<Long> missingSpecific(ServableVersionPolicy policy, Set<Long> found) {
    Set<Long> missing = new TreeSet<>();
    if (policy.getPolicyChoiceCase() == ServableVersionPolicy.PolicyChoiceCase.SPECIFIC) {
      for (long v : policy.getSpecific().getVersionsList()) {
        if (!found.contains(v)) {
          missing.add(v);
        }
      }
    }
    return missing;
  }
}
