package io.tessera.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.tessera.image.ImagePredictions;
import io.tessera.image.LabelScore;
import io.tessera.proto.serving.ClassificationResult;
import io.tessera.proto.serving.Classifications;
import io.tessera.proto.serving.RegressionResult;
import io.tessera.serving.CallDeadline;
import io.tessera.serving.ExamplesCall;
import io.tessera.serving.MetadataCall;
import io.tessera.serving.ModelRef;
import io.tessera.serving.ModelResponses;
import io.tessera.serving.Origin;
import io.tessera.serving.Pipeline;
import io.tessera.serving.PredictCall;
import io.tessera.serving.PredictInputs;
import io.tessera.serving.Predicted;
import io.tessera.status.ErrorText;
import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import io.tessera.tensor.json.ExampleJsonReader;
import io.tessera.tensor.json.FloatText;
import io.tessera.tensor.json.PredictJsonWriter.ExtraMember;
import io.tessera.tensor.json.PredictJsonWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * TF Serving's REST API without the transport: decodes each request into the pipeline's typed
 * call and encodes the result as JSON; version resolution, checks, the image path, runs and
 * metrics are the {@link Pipeline}'s. Thread-safe; runs on a REST worker thread, or on the
 * connection's event loop when the transport runs a short call inline ({@code InlineRuns}), so it
 * never blocks on anything but the model run itself.
 */
public final class RestApi {
  /** Top-k of an image :classify upload that does not say. */
  static final int CLASSIFY_TOP_K = 5;
  private final Pipeline pipeline;
  private final long timeoutMs;

  /** @param timeoutMs per-request deadline (--rest_api_timeout_in_ms; 0 = none) */
  public RestApi(Pipeline pipeline, long timeoutMs) {
    this.pipeline = pipeline;
    this.timeoutMs = timeoutMs;
  }
  /** Counts an API-path call answered before any route ran (see Pipeline#recordUnroutedRestCall). */
  void recordUnrouted(StatusCode status) {
    pipeline.recordUnroutedRestCall(status);
  }


  /** {@link #handle(RestRoute, ByteBuffer, String, int, OutputStream)} of a JSON body. */
  public String handle(RestRoute route, ByteBuffer body, OutputStream out) throws IOException {
    return handle(route, body, null, 0, out);
  }

  /**
   * Answers one request, writing the JSON body to {@code out}.
   *
   * @param contentType the request's Content-Type (null when absent): image uploads on :predict
   *     and :classify ({@link ImageUpload}); everything else is TF Serving's JSON
   * @param topK the {@code top_k} query parameter for image uploads, 0 when absent
   * @return a Server-Timing header value (decode and inference time of an image call), or null
   * @throws ServingException for every client-visible failure; the caller renders it with
   *     {@link #errorBody} and the code's HTTP status (anything written to out is then discarded)
   */
  public String handle(RestRoute route, ByteBuffer body, String contentType, int topK, OutputStream out)
      throws IOException {
    CallDeadline deadline = CallDeadline.afterMillis(timeoutMs);
    ModelRef model = new ModelRef(route.modelName(), route.version(), route.label());
    boolean postsImages = route.kind() == RestRoute.Kind.PREDICT || route.kind() == RestRoute.Kind.CLASSIFY;
    List<ByteBuffer> upload = postsImages ? ImageUpload.images(contentType, body) : null;
    try {
      if (upload != null) {
        return uploaded(route, model, new PredictInputs.Images(upload, topK), deadline, out);
      }
      switch (route.kind()) {
        case STATUS -> out.write(ProtoJson.print(ModelResponses.status(
            pipeline.status(route.modelName(), route.version(), Origin.rest("")))).getBytes(StandardCharsets.UTF_8));
        case METADATA -> metadata(model, out);
        case PREDICT -> {
          return predict(model, new RestPredictBody(body), deadline, out);
        }
        case CLASSIFY -> writeClassifications(pipeline.classify(examplesCall(model, body, deadline, "classify"))
            .getResult(), out);
        case REGRESS -> writeRegressions(pipeline.regress(examplesCall(model, body, deadline, "regress"))
            .getResult(), out);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return null;
  }

  private String predict(ModelRef model, PredictInputs inputs, CallDeadline deadline, OutputStream out) {
    boolean rowFormat = !(inputs instanceof RestPredictBody body) || body.rowFormat();
    return pipeline.predict(new PredictCall(model, "", inputs, List.of(), deadline, Origin.rest("predict")), ran -> {
      List<ExtraMember> extras = ran.topK() == null ? List.of()
          : List.of(new ExtraMember("top_k", ImagePredictions.topKJson(ran.topK())));
      boolean rows = inputs instanceof RestPredictBody body ? body.rowFormat() : rowFormat;
      PredictJsonWriter.write(out, ran.outputs(), rows, extras);
      return serverTiming(ran);
    });
  }

  /**
   * An image upload: :predict answers as the b64 form does ({"predictions": ..., "top_k": ...});
   * :classify as TF Serving's classify ({"results": [[[label, score], ...], ...]}), top 5 unless
   * the query or the model's default_top_k says otherwise.
   */
  private String uploaded(RestRoute route, ModelRef model, PredictInputs.Images images,
      CallDeadline deadline, OutputStream out) throws IOException {
    if (route.kind() == RestRoute.Kind.PREDICT) {
      return predict(model, images, deadline, out);
    }
    PredictInputs.Images ranked = images.topK() > 0 ? images
        : new PredictInputs.Images(images.encoded(), CLASSIFY_TOP_K);
    return pipeline.predict(new PredictCall(model, "", ranked, List.of(), deadline, Origin.rest("classify")), ran -> {
      writeClassifications(classification(ran.topK()), out);
      return serverTiming(ran);
    });
  }

  /** Top-k rows as TF Serving's classification result: a class per entry, its label or index. */
  private static ClassificationResult classification(List<List<LabelScore>> rows) {
    ClassificationResult.Builder result = ClassificationResult.newBuilder();
    for (List<LabelScore> row : rows) {
      Classifications.Builder classes = result.addClassificationsBuilder();
      for (LabelScore entry : row) {
        classes.addClassesBuilder()
            .setLabel(entry.label() != null ? entry.label() : Integer.toString(entry.index()))
            .setScore(entry.score());
      }
    }
    return result.build();
  }

  private static String serverTiming(Predicted ran) {
    if (ran.decodeNanos() == 0) {
      return null;
    }
    return String.format(java.util.Locale.ROOT, "decode;dur=%.2f, inference;dur=%.2f",
        ran.decodeNanos() / 1e6, ran.runNanos() / 1e6);
  }

  private static ExamplesCall examplesCall(ModelRef model, ByteBuffer body, CallDeadline deadline, String verb) {
    return new ExamplesCall(model, () -> {
      ExampleJsonReader.Request request = ExampleJsonReader.read(body);
      return new ExamplesCall.Examples(request.signatureName(), request.input());
    }, deadline, Origin.rest(verb));
  }

  /** :classify, answered as {@code {"results": [[[label, score], ...], ...]}} like TF Serving. */
  private static void writeClassifications(ClassificationResult result, OutputStream out) throws IOException {
    StringBuilder json = new StringBuilder("{\n    \"results\": [");
    for (int i = 0; i < result.getClassificationsCount(); i++) {
      json.append(i == 0 ? "[" : ", [");
      var classes = result.getClassifications(i).getClassesList();
      for (int j = 0; j < classes.size(); j++) {
        json.append(j == 0 ? "[" : ", [");
        StringBuilder label = new StringBuilder();
        JsonStringEncoder.getInstance().quoteAsString(classes.get(j).getLabel(), label);
        json.append('"').append(label).append("\", ").append(FloatText.ofFloat(classes.get(j).getScore())).append(']');
      }
      json.append(']');
    }
    out.write(json.append("]\n}").toString().getBytes(StandardCharsets.UTF_8));
  }

  /** :regress, answered as {@code {"results": [value, ...]}} like TF Serving. */
  private static void writeRegressions(RegressionResult result, OutputStream out) throws IOException {
    StringBuilder json = new StringBuilder("{\n    \"results\": [");
    for (int i = 0; i < result.getRegressionsCount(); i++) {
      json.append(i == 0 ? "" : ", ").append(FloatText.ofFloat(result.getRegressions(i).getValue()));
    }
    out.write(json.append("]\n}").toString().getBytes(StandardCharsets.UTF_8));
  }

  private void metadata(ModelRef model, OutputStream out) throws IOException {
    Pipeline.Metadata metadata = pipeline.metadata(
        new MetadataCall(model, List.of(Pipeline.SIGNATURE_DEF_FIELD), Origin.rest("")));
    try (JsonGenerator json = ProtoJson.FACTORY.createGenerator(out)) {
      json.setPrettyPrinter(ProtoJson.prettyPrinter());
      json.writeStartObject();
      json.writeFieldName("model_spec");
      ProtoJson.writeMessage(json, metadata.spec());
      json.writeFieldName("metadata");
      json.writeStartObject();
      json.writeFieldName("signature_def");
      ProtoJson.writeMessage(json, metadata.signatureDefs());
      json.writeEndObject();
      json.writeEndObject();
    }
  }

  /** TF Serving's error body: {@code { "error": "<message>" }}, the message cut by {@link ErrorText}. */
  public static byte[] errorBody(String message) {
    StringBuilder escaped = new StringBuilder();
    JsonStringEncoder.getInstance().quoteAsString(ErrorText.truncate(message), escaped);
    return ("{ \"error\": \"" + escaped + "\" }").getBytes(StandardCharsets.UTF_8);
  }
}
