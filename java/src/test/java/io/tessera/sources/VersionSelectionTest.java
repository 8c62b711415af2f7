package io.tessera.sources;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tessera.config.ModelConfigs;
import io.tessera.proto.serving.config.FileSystemStoragePathSourceConfig.ServableVersionPolicy;
import java.util.List;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class VersionSelectionTest {
  private static final NavigableMap<Long, String> ON_DISK = new TreeMap<>();

  static {
    for (long v : new long[] {1, 3, 7, 10}) {
      ON_DISK.put(v, "dir" + v);
    }
  }

  private static ServableVersionPolicy policy(String text) {
    return ModelConfigs.entries(ModelConfigs.parseText("model_config_list { config { name: 'm' "
        + "base_path: '/b' model_platform: 'tensorflow' " + text + " } }")).get(0).policy();
  }

  private static List<Long> select(ServableVersionPolicy p) {
    return List.copyOf(VersionSelection.select(p, ON_DISK).keySet());
  }

  @Test
  void eachPolicy() {
    assertEquals(List.of(10L), select(policy("")));
    assertEquals(List.of(10L), select(ServableVersionPolicy.getDefaultInstance()));
    assertEquals(List.of(10L), select(policy("model_version_policy { latest { num_versions: 0 } }")));
    assertEquals(List.of(7L, 10L), select(policy("model_version_policy { latest { num_versions: 2 } }")));
    assertEquals(List.of(1L, 3L, 7L, 10L), select(policy("model_version_policy { latest { num_versions: 9 } }")));
    assertEquals(List.of(1L, 3L, 7L, 10L), select(policy("model_version_policy { all {} }")));
    ServableVersionPolicy specific = policy("model_version_policy { specific { versions: 3 versions: 4 } }");
    assertEquals(List.of(3L), select(specific));
    assertEquals(Set.of(4L), VersionSelection.missingSpecific(specific, ON_DISK.keySet()));
    assertEquals(List.of(), List.copyOf(VersionSelection.select(specific, new TreeMap<Long, String>()).keySet()));
  }
}
