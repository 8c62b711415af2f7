/**
 * A loaded SavedModel version as the server runs it: the bundle (session, signatures, optional
 * batching), signature lookup, and the one signature run (feeds, fetches, output filter, run
 * settings) that every API ends in; {@link io.tessera.servables.Servable} is that surface as an
 * interface, so the request pipeline also runs fakes. Imports nativebridge, tensor and status.
 */
package io.tessera.servables;
