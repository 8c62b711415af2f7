package io.tessera.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.tessera.image.ImagePredictions;
import io.tessera.proto.serving.ClassificationResult;
import io.tessera.proto.serving.RegressionResult;
import io.tessera.serving.CallDeadline;
import io.tessera.serving.ExamplesCall;
import io.tessera.serving.MetadataCall;
import io.tessera.serving.ModelRef;
import io.tessera.serving.ModelResponses;
import io.tessera.serving.Origin;
import io.tessera.serving.Pipeline;
import io.tessera.serving.PredictCall;
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


  /**
   * Answers one request, writing the JSON body to {@code out}.
   *
   * @throws ServingException for every client-visible failure; the caller renders it with
   *     {@link #errorBody} and the code's HTTP status (anything written to out is then discarded)
   */
  public void handle(RestRoute route, ByteBuffer body, OutputStream out) throws IOException {
    CallDeadline deadline = CallDeadline.afterMillis(timeoutMs);
    ModelRef model = new ModelRef(route.modelName(), route.version(), route.label());
    try {
      switch (route.kind()) {
        case STATUS -> out.write(ProtoJson.print(ModelResponses.status(
            pipeline.status(route.modelName(), route.version(), Origin.rest("")))).getBytes(StandardCharsets.UTF_8));
        case METADATA -> metadata(model, out);
        case PREDICT -> predict(model, body, deadline, out);
        case CLASSIFY -> writeClassifications(pipeline.classify(examplesCall(model, body, deadline, "classify"))
            .getResult(), out);
        case REGRESS -> writeRegressions(pipeline.regress(examplesCall(model, body, deadline, "regress"))
            .getResult(), out);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private void predict(ModelRef model, ByteBuffer body, CallDeadline deadline, OutputStream out) {
    RestPredictBody inputs = new RestPredictBody(body);
    pipeline.predict(new PredictCall(model, "", inputs, List.of(), deadline, Origin.rest("predict")), ran -> {
      List<ExtraMember> extras = ran.topK() == null ? List.of()
          : List.of(new ExtraMember("top_k", ImagePredictions.topKJson(ran.topK())));
      PredictJsonWriter.write(out, ran.outputs(), inputs.rowFormat(), extras);
      return null;
    });
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
