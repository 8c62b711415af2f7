/**
 * The {@code bin/tessera} tools: the demo model writer and server, {@code inspect} (a
 * {@code saved_model_cli show --all} listing) and {@code warmup} (a warmup file from request
 * logs). Imports server and the warmup file format ({@code servables.warmup}).
 */
package io.tessera.cli;
