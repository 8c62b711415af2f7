/**
 * Netty plumbing shared by the REST and gRPC listeners: the event-loop/channel choice (epoll when
 * available) and the inline-run policy that decides when a cheap request is answered on its I/O
 * thread, {@link io.tessera.transport.HttpApi}, how another HTTP API shares the REST listener, and
 * {@link io.tessera.transport.HostBackedBody}, a body received into an aligned tensor buffer.
 * Imports nothing of ours but {@code status} and {@code tensor} (for that buffer).
 */
package io.tessera.transport;
