/**
 * The composition root: {@code main}, TF Serving's flags and their validation, start-up order
 * (models, then listeners), graceful shutdown, logging set-up. Wires every other package; nothing
 * but {@code cli} imports it.
 */
package io.tessera.server;
