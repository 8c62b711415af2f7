/**
 * Readiness and liveness: {@code /healthz}, {@code /readyz} and the optional
 * {@code grpc.health.v1.Health} service, following model availability and shutdown.
 */
package io.tessera.server.health;
