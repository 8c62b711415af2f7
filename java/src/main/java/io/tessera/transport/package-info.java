/**
 * Netty plumbing shared by the REST and gRPC listeners: the event-loop/channel choice (epoll when
 * available) and the inline-run policy that decides when a cheap request is answered on its I/O
 * thread, and {@link io.tessera.transport.HttpApi}, how another HTTP API shares the REST listener.
 * Imports nothing of ours but {@code status}.
 */
package io.tessera.transport;
