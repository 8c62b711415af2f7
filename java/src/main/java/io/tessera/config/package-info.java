/**
 * Reading TF Serving's config files: {@code ModelServerConfig} entries and validation, and the
 * text-proto-or-JSON parser every config flag uses. Imports status only.
 */
package io.tessera.config;
