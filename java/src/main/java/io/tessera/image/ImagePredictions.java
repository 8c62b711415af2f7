package io.tessera.image;

import io.tessera.tensor.OutputTensor;
import java.io.IOException;
import java.io.StringWriter;
import java.util.List;
import java.util.Optional;

/**
 * The labelled top-k of an encoded-image predict: which output holds the scores, the best
 * {@code k} per image, and their JSON (the REST reply's {@code "top_k"} member, appended when the
 * client asked or the model's config sets {@code default_top_k}). Stateless.
 */
public final class ImagePredictions {
  private static final List<String> SCORE_ALIASES = List.of("probabilities", "scores", "predictions");

  private ImagePredictions() {}

  /** The [N, classes] output to rank: a conventional alias, else the only rank-2 float output. */
  static OutputTensor scoresOf(List<OutputTensor> outputs) {
    for (String alias : SCORE_ALIASES) {
      for (OutputTensor t : outputs) {
        if (t.alias().equals(alias) && t.rank() == 2 && t.dtype().isFloating()) {
          return t;
        }
      }
    }
    List<OutputTensor> candidates = outputs.stream()
        .filter(t -> t.rank() == 2 && t.dtype().isFloating()).toList();
    if (candidates.size() != 1) {
      throw io.tessera.status.ServingException.invalidArgument(
          "top_k needs one [batch, classes] float output (e.g. 'probabilities'); outputs: "
              + outputs.stream().map(OutputTensor::alias).toList());
    }
    return candidates.get(0);
  }

  /** The {@code k} best labelled scores per row of the output {@link #scoresOf} picks. */
  public static List<List<LabelScore>> topK(List<OutputTensor> outputs, int k, Optional<Labels> labels) {
    return TopK.topK(scoresOf(outputs), k, labels);
  }

  /** {@code rows} as the REST reply's {@code "top_k"} member: [[{index, label, score}, ...], ...]. */
  public static String topKJson(List<List<LabelScore>> rows) throws IOException {
    StringWriter text = new StringWriter();
    try (var json = new com.fasterxml.jackson.core.JsonFactory().createGenerator(text)) {
      json.writeStartArray();
      for (List<LabelScore> row : rows) {
        json.writeStartArray();
        for (LabelScore entry : row) {
          json.writeStartObject();
          json.writeNumberField("index", entry.index());
          json.writeStringField("label", entry.label());
          json.writeNumberField("score", entry.score());
          json.writeEndObject();
        }
        json.writeEndArray();
      }
      json.writeEndArray();
    }
    return text.toString();
  }
}
