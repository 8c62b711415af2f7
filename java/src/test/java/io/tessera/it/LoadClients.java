package io.tessera.it;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * Client threads that send requests without pause until closed (hot-swap tests): each request
 * returns null when its answer was right, else what was wrong; an exception is a failure too.
 */
final class LoadClients implements AutoCloseable {
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicLong ok = new AtomicLong();
  private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
  private final List<Thread> threads = new ArrayList<>();

  /** Starts {@code count} threads; thread i sends {@code request.apply(i)} in a loop. */
  LoadClients(int count, IntFunction<Callable<String>> request) {
    for (int i = 0; i < count; i++) {
      Callable<String> send = request.apply(i);
      Thread client = new Thread(() -> {
        while (!stop.get()) {
          try {
            String error = send.call();
            if (error == null) {
              ok.incrementAndGet();
            } else {
              failures.add(error);
            }
          } catch (Exception e) {
            failures.add(e.toString());
          }
        }
      }, "load-client-" + i);
      client.start();
      threads.add(client);
    }
  }

  long ok() {
    return ok.get();
  }

  List<String> failures() {
    return List.copyOf(failures);
  }

  /** Stops the clients and waits for their last requests. */
  @Override
  public void close() throws InterruptedException {
    stop.set(true);
    for (Thread t : threads) {
      t.join();
    }
  }
}
