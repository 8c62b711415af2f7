/**
 * The {@code bin/tessera} tools: the demo model writer and server, and {@code inspect} (a
 * {@code saved_model_cli show --all} listing). Imports server.
 */
package io.tessera.cli;
