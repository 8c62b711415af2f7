package io.tessera.image;

import io.tessera.servables.RunResult;
import io.tessera.servables.SavedModelBundle;
import io.tessera.servables.Signature;
import io.tessera.servables.SignatureRunner;
import io.tessera.tensor.InputTensor;
import io.tessera.tensor.OutputTensor;
import io.tessera.tensor.json.PredictJsonWriter;
import io.tessera.tensor.json.PredictJsonWriter.ExtraMember;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Predict for encoded images: decode (in parallel, bounded) straight into the model's input
 * tensor, run, and answer in TF Serving's response format; when the client asked ({@code top_k})
 * or the model's config sets {@code default_top_k}, a {@code "top_k"} member with labelled scores
 * is appended. Stateless.
 */
public final class ImagePredictions {
  private static final List<String> SCORE_ALIASES = List.of("probabilities", "scores", "predictions");

  private ImagePredictions() {}

  /**
   * @param deadline covers decoding and the run: the run gets the time decoding left
   *     (DEADLINE_EXCEEDED when none is)
   */
  public static void predictRest(SavedModelBundle bundle, ImagePreprocessor preprocessor,
      ImageJsonRequest request, DecodeDeadline deadline, OutputStream out) throws IOException {
    ImageConfig config = preprocessor.config();
    String signatureName = request.signatureName().isEmpty() ? config.signatureName() : request.signatureName();
    Signature signature = bundle.signature(signatureName);
    try (InputTensor images = preprocessor.decodeBatch(request.images(), deadline);
        RunResult result = SignatureRunner.run(bundle, signature, Map.of(config.inputAlias(), images),
            List.of(), new SignatureRunner.RunSettings(deadline.runTimeoutMillis()))) {
      int k = request.topK() > 0 ? request.topK() : config.defaultTopK();
      List<ExtraMember> extras = k > 0
          ? List.of(new ExtraMember("top_k", topKJson(result.outputs(), k, config.labels())))
          : List.of();
      PredictJsonWriter.write(out, result.outputs(), request.rowFormat(), extras);
    }
  }

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

  static String topKJson(List<OutputTensor> outputs, int k, Optional<Labels> labels) throws IOException {
    List<List<LabelScore>> rows = TopK.topK(scoresOf(outputs), k, labels);
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
