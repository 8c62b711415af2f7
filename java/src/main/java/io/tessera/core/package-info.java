/**
 * The lifecycle framework, as TF Serving's {@code core/}: servable ids and states (an explicit
 * state machine), loaders, the source adapter, the aspired-versions manager with its pure
 * policies, ref-counted servable handles and the state monitor. Knows nothing of TensorFlow;
 * imports status only.
 */
package io.tessera.core;
