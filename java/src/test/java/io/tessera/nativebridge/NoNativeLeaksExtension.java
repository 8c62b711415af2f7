package io.tessera.nativebridge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Registered for every test class (junit-platform.properties enables extension autodetection):
 * after a class's tests and its own {@code @AfterAll} methods, collects garbage and fails the class
 * if the leak detector freed any native handle meanwhile, i.e. if something the class made was
 * never closed. Attribution is by time: a leak is counted by the class during or after which its
 * handle became unreachable and was collected.
 */
public final class NoNativeLeaksExtension implements BeforeAllCallback, AfterAllCallback {
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(NoNativeLeaksExtension.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    context.getStore(NAMESPACE).put("leaks", NativeHandle.leakCount());
  }

  @Override
  public void afterAll(ExtensionContext context) throws InterruptedException {
    long before = context.getStore(NAMESPACE).get("leaks", Long.class);
    for (int i = 0; i < 2; i++) {
      System.gc();
      Thread.sleep(50);  // the Cleaner thread runs the leak guards after the collection
    }
    assertEquals(before, NativeHandle.leakCount(), "native handles freed by the garbage collector instead of close()"
        + " during or after " + context.getDisplayName() + " (see the LEAK lines in the log)");
  }
}
