/**
 * The error currency of the whole server: canonical status codes with TF Serving's HTTP mapping
 * ({@link io.tessera.status.StatusCode}), the exception that carries one to a client
 * ({@link io.tessera.status.ServingException}), and TF Serving's message truncation. A leaf:
 * imports nothing of ours.
 */
package io.tessera.status;
