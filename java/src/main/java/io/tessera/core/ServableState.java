package io.tessera.core;

import java.util.EnumSet;
import java.util.Set;

/**
 * Lifecycle of one servable version, as GetModelStatus reports it (numbers = the proto's
 * {@code ModelVersionStatus.State}). Allowed transitions are checked in {@link #canMoveTo}:
 * START → LOADING → AVAILABLE → UNLOADING → END, START → END for a version dropped before it
 * loaded, and LOADING → END once every load attempt failed. Retries of a failed load happen
 * inside LOADING (the manager's retry loop), so END is final.
 */
public enum ServableState {
  START(10),
  LOADING(20),
  AVAILABLE(30),
  UNLOADING(40),
  END(50);

  private final int number;

  ServableState(int number) {
    this.number = number;
  }

  public int number() {
    return number;
  }

  public boolean canMoveTo(ServableState next) {
    return allowedNext().contains(next);
  }

  private Set<ServableState> allowedNext() {
    return switch (this) {
      case START -> EnumSet.of(LOADING, END);
      case LOADING -> EnumSet.of(AVAILABLE, END);
      case AVAILABLE -> EnumSet.of(UNLOADING);
      case UNLOADING -> EnumSet.of(END);
      case END -> EnumSet.noneOf(ServableState.class);
    };
  }
}
