package io.tessera.image;

/**
 * One top-k entry: the output index, its label (null when the model has no label for it) and its
 * score as the model computed it (probability or logit).
 */
public record LabelScore(int index, String label, float score) {}
