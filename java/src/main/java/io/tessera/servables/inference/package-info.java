/**
 * TF Serving's classifier and regressor over serialized tf.Examples: signature checks, running
 * the examples, turning outputs into ClassificationResult / RegressionResult protos.
 */
package io.tessera.servables.inference;
