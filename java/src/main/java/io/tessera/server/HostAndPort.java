package io.tessera.server;

import io.tessera.status.ServingException;

/** A {@code HOST:PORT} flag value ({@code [::1]:8502} for IPv6). Pure. */
record HostAndPort(String host, int port) {
  static HostAndPort parse(String value) {
    int colon = value.lastIndexOf(':');
    try {
      if (colon <= 0) {
        throw new NumberFormatException();
      }
      String host = value.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      return new HostAndPort(host, Integer.parseInt(value.substring(colon + 1)));
    } catch (NumberFormatException e) {
      throw ServingException.invalidArgument("Expected HOST:PORT, got '" + value + "'");
    }
  }
}
