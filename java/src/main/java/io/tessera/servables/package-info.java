/**
 * A loaded SavedModel version as the server serves it: the bundle (session, signatures, optional
 * batching), signature lookup, and the one signature run (feeds, fetches, output filter, run
 * settings) that every API ends in. Imports nativebridge, tensor and status.
 */
package io.tessera.servables;
