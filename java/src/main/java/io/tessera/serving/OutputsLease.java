package io.tessera.serving;

import io.tessera.servables.RunResult;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What keeps one predict call's outputs valid: its run result and its hold on the version (a
 * version is never torn down under live outputs). By default both end with the pipeline call; a
 * front end that writes the outputs later takes them over with {@link Predicted#keepOutputs()},
 * and then the handle it gets ends them, exactly once, from any thread.
 */
final class OutputsLease implements Predicted.Lease {
  private final ResolvedVersion version;
  private final AtomicBoolean ended = new AtomicBoolean();
  private RunResult result;
  private boolean kept;

  OutputsLease(ResolvedVersion version) {
    this.version = version;
  }

  /** The run whose outputs this lease keeps (set once, on the call's thread). */
  void result(RunResult result) {
    this.result = result;
  }

  @Override
  public AutoCloseable keep() {
    if (kept || result == null) {
      throw new IllegalStateException(kept ? "outputs already kept" : "no outputs yet");
    }
    kept = true;
    return this::end;
  }

  /** At the pipeline call's end: ends the outputs and the hold unless a front end kept them. */
  void endOfCall() {
    if (!kept) {
      end();
    }
  }

  private void end() {
    if (ended.compareAndSet(false, true)) {
      try {
        if (result != null) {
          result.close();
        }
      } finally {
        version.close();
      }
    }
  }
}
