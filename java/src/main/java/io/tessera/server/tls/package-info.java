/**
 * TLS for both listeners from TF Serving's SSLConfig: start-up checks (key matches certificate,
 * validity dates) and the one list of modern suites. Imports config and status only.
 */
package io.tessera.server.tls;
