package io.tessera.v2;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tessera.core.ServableState;
import io.tessera.core.VersionStatus;
import io.tessera.serving.ModelRepository;
import io.tessera.status.StatusCode;
import java.util.List;
import org.junit.jupiter.api.Test;

class RepositoryIndexTest {
  private static final List<ModelRepository.Entry> ENTRIES = List.of(
      new ModelRepository.Entry("a", true, List.of(VersionStatus.of(2, ServableState.AVAILABLE),
          new VersionStatus(1, ServableState.END, StatusCode.NOT_FOUND, "load failed"))),
      new ModelRepository.Entry("b", false, List.of(VersionStatus.of(7, ServableState.END))),
      new ModelRepository.Entry("c", true, List.of()),
      new ModelRepository.Entry("d", true, List.of(VersionStatus.of(1, ServableState.LOADING))));

  @Test
  void rowsCarryTritonsStatesAndReasons() {
    assertEquals(List.of(new RepositoryIndex.Row("a", "2", "READY", ""),
        new RepositoryIndex.Row("a", "1", "UNAVAILABLE", "load failed"),
        new RepositoryIndex.Row("b", "7", "UNAVAILABLE", "unloaded"),
        new RepositoryIndex.Row("c", "", "UNAVAILABLE", "not loaded"),
        new RepositoryIndex.Row("d", "1", "LOADING", "")), RepositoryIndex.rows(ENTRIES, false));
  }

  @Test
  void readyOnlyKeepsTheReadyRows() {
    assertEquals(List.of(new RepositoryIndex.Row("a", "2", "READY", "")), RepositoryIndex.rows(ENTRIES, true));
  }

  @Test
  void versionStringsNameAVersionOrALabel() {
    assertEquals(new io.tessera.serving.ModelRef("m", null, ""), V2Server.model("m", ""));
    assertEquals(new io.tessera.serving.ModelRef("m", 12L, ""), V2Server.model("m", "0012"));
    assertEquals(new io.tessera.serving.ModelRef("m", null, "stable"), V2Server.model("m", "stable"));
    assertEquals(400, V2Server.httpStatus(StatusCode.FAILED_PRECONDITION));
    assertEquals(404, V2Server.httpStatus(StatusCode.NOT_FOUND));
  }
}
