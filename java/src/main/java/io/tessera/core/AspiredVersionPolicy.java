package io.tessera.core;

import java.util.List;
import java.util.Optional;

/**
 * Decides the manager's next load or unload from a snapshot of one model's versions. Pure: no
 * threads, no side effects, so it is tested with plain lists.
 */
public interface AspiredVersionPolicy {
  /** One version as the policy sees it. */
  record Snapshot(long version, ServableState state, boolean aspired) {}

  enum ActionKind { LOAD, UNLOAD }

  record Action(ActionKind kind, long version) {}

  Optional<Action> nextAction(List<Snapshot> versions);

  /**
   * TF Serving's default (AvailabilityPreservingPolicy): unload the lowest un-aspired AVAILABLE
   * version only when no aspired version exists, or an aspired version is already AVAILABLE, or
   * more than one un-aspired version is AVAILABLE; otherwise load the highest new aspired version.
   * The old version therefore keeps serving until its successor is AVAILABLE.
   */
  AspiredVersionPolicy AVAILABILITY_PRESERVING = versions -> {
    boolean anyAspired = false;
    boolean aspiredAvailable = false;
    int unaspiredAvailable = 0;
    Snapshot lowestUnaspired = null;
    Snapshot highestNew = null;
    for (Snapshot s : versions) {
      if (s.aspired()) {
        anyAspired = true;
        aspiredAvailable |= s.state() == ServableState.AVAILABLE;
        if (s.state() == ServableState.START
            && (highestNew == null || s.version() > highestNew.version())) {
          highestNew = s;
        }
      } else if (s.state() == ServableState.AVAILABLE) {
        unaspiredAvailable++;
        if (lowestUnaspired == null || s.version() < lowestUnaspired.version()) {
          lowestUnaspired = s;
        }
      }
    }
    if (lowestUnaspired != null && (!anyAspired || aspiredAvailable || unaspiredAvailable > 1)) {
      return Optional.of(new Action(ActionKind.UNLOAD, lowestUnaspired.version()));
    }
    if (highestNew != null) {
      return Optional.of(new Action(ActionKind.LOAD, highestNew.version()));
    }
    return Optional.empty();
  };
}
