/**
 * What the front ends (REST, gRPC) see of the server: version resolution into ref-counted
 * handles, model status and metadata answers, and the model-config controller behind config
 * reloads. Imports the lifecycle ({@code core}, {@code sources}, {@code config}), the servables,
 * images and metrics; never a front end, the transport or the composition root ({@code server}).
 */
package io.tessera.serving;
