/**
 * Admission control shared by every front end: the process-wide budget of bytes held by requests
 * in flight ({@link io.tessera.admission.MemoryBudget}), the transport and reload limits set by
 * flags ({@link io.tessera.admission.Limits}), and rate-limited logging of client-caused errors.
 * A leaf above {@code io.tessera.status}: imports nothing else of ours (only Netty's direct-memory limit).
 */
package io.tessera.admission;
