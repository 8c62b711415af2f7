/**
 * TF Serving's classifier and regressor over serialized tf.Examples: signature checks, running
 * the examples on a {@link io.tessera.servables.Servable}, turning outputs into
 * ClassificationResult / RegressionResult protos. Called by the request pipeline only.
 */
package io.tessera.servables.inference;
