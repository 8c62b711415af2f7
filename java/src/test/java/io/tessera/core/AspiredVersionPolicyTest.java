package io.tessera.core;

import static io.tessera.core.AspiredVersionPolicy.AVAILABILITY_PRESERVING;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tessera.core.AspiredVersionPolicy.Action;
import io.tessera.core.AspiredVersionPolicy.ActionKind;
import io.tessera.core.AspiredVersionPolicy.Snapshot;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AspiredVersionPolicyTest {
  private static Snapshot v(long version, ServableState state, boolean aspired) {
    return new Snapshot(version, state, aspired);
  }

  @Test
  void loadsNewVersionBeforeUnloadingOld() {
    assertEquals(Optional.of(new Action(ActionKind.LOAD, 2)), AVAILABILITY_PRESERVING.nextAction(List.of(
        v(1, ServableState.AVAILABLE, false), v(2, ServableState.START, true))));
  }

  @Test
  void unloadsOldOnceNewIsAvailable() {
    assertEquals(Optional.of(new Action(ActionKind.UNLOAD, 1)), AVAILABILITY_PRESERVING.nextAction(List.of(
        v(1, ServableState.AVAILABLE, false), v(2, ServableState.AVAILABLE, true))));
  }

  @Test
  void keepsOldServingWhileNewIsLoadingOrFailed() {
    assertEquals(Optional.empty(), AVAILABILITY_PRESERVING.nextAction(List.of(
        v(1, ServableState.AVAILABLE, false), v(2, ServableState.LOADING, true))));
    assertEquals(Optional.empty(), AVAILABILITY_PRESERVING.nextAction(List.of(
        v(1, ServableState.AVAILABLE, false), v(2, ServableState.END, true))));
  }

  @Test
  void unloadsWhenNothingIsAspiredAnyMore() {
    assertEquals(Optional.of(new Action(ActionKind.UNLOAD, 3)), AVAILABILITY_PRESERVING.nextAction(List.of(
        v(3, ServableState.AVAILABLE, false), v(4, ServableState.AVAILABLE, false))));
  }

  @Test
  void loadsHighestNewVersionFirst() {
    assertEquals(Optional.of(new Action(ActionKind.LOAD, 9)), AVAILABILITY_PRESERVING.nextAction(List.of(
        v(7, ServableState.START, true), v(9, ServableState.START, true))));
  }

  @Test
  void stateMachineRejectsIllegalTransitions() {
    assertEquals(true, ServableState.LOADING.canMoveTo(ServableState.AVAILABLE));
    assertEquals(false, ServableState.AVAILABLE.canMoveTo(ServableState.LOADING));
    assertEquals(false, ServableState.END.canMoveTo(ServableState.AVAILABLE));
  }
}
