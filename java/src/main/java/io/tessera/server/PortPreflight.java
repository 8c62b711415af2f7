package io.tessera.server;

import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks, before any model loads, that every fixed TCP port the server will listen on can be
 * bound, so a busy port fails start-up at once and names itself instead of after minutes of
 * loading. Each port is bound and released at once (the listeners bind for real once the models
 * are AVAILABLE, TF Serving's order); port 0 (ephemeral) is not checked.
 */
final class PortPreflight {
  /** One listener to check: the flag that sets it, its bind address and port. */
  record Listener(String flag, String host, int port) {}

  private final List<Listener> listeners = new ArrayList<>();

  PortPreflight add(String flag, String host, int port) {
    if (port > 0) {
      listeners.add(new Listener(flag, host, port));
    }
    return this;
  }

  /** @throws ServingException UNAVAILABLE naming the first port that cannot be bound, and its flag */
  void check() {
    for (Listener l : listeners) {
      try (ServerSocket socket = new ServerSocket()) {
        socket.setReuseAddress(true);  // as Netty binds: a port in TIME_WAIT is not "busy"
        socket.bind(new InetSocketAddress(l.host(), l.port()));
      } catch (IOException e) {
        throw new ServingException(StatusCode.UNAVAILABLE, "Cannot listen on " + l.host() + ":" + l.port()
            + " (" + l.flag() + "=" + l.port() + "): " + e.getMessage()
            + ". Is another server using port " + l.port() + "? Choose a free port.");
      }
    }
  }
}
