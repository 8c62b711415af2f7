package io.tessera.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.tessera.status.ErrorText;
import io.tessera.core.ServableHandle;
import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import io.tessera.image.DecodeDeadline;
import io.tessera.image.ImageJsonRequest;
import io.tessera.image.ImagePredictions;
import io.tessera.image.ImagePreprocessor;
import io.tessera.servables.RunResult;
import io.tessera.servables.SavedModelBundle;
import io.tessera.servables.Signature;
import io.tessera.servables.SignatureRunner;
import io.tessera.servables.TensorSpec;
import io.tessera.servables.inference.InferenceRunner;
import io.tessera.serving.ModelResponses;
import io.tessera.serving.ServerCore;
import io.tessera.tensor.DataType;
import io.tessera.tensor.json.FloatText;
import io.tessera.tensor.json.PredictJsonReader;
import io.tessera.tensor.json.PredictJsonRequest;
import io.tessera.tensor.json.PredictJsonWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * TF Serving's REST API without the transport: one call per request, JSON in, JSON out.
 * Thread-safe; runs on the REST worker threads, never on an event loop.
 */
public final class RestApi {
  private final ServerCore core;
  private final long timeoutMs;

  /** @param timeoutMs per-request TensorFlow deadline (--rest_api_timeout_in_ms; 0 = none) */
  public RestApi(ServerCore core, long timeoutMs) {
    this.core = core;
    this.timeoutMs = timeoutMs;
  }

  /**
   * Answers one request, writing the JSON body to {@code out}.
   *
   * @throws ServingException for every client-visible failure; the caller renders it with
   *     {@link #errorBody} and the code's HTTP status (anything written to out is then discarded)
   */
  public void handle(RestRoute route, ByteBuffer body, OutputStream out) throws IOException {
    long started = System.nanoTime();
    String status = "OK";
    try {
      dispatch(route, body, out);
    } catch (ServingException e) {
      status = e.code().name();
      throw e;
    } catch (IOException | RuntimeException e) {
      status = StatusCode.INTERNAL.name();
      throw e;
    } finally {
      core.metrics().recordRequest(route.modelName(), verb(route), "REST", status, System.nanoTime() - started);
    }
  }

  /** TF Serving's API label for REST: the URL verb, or "" for status and metadata. */
  private static String verb(RestRoute route) {
    return switch (route.kind()) {
      case PREDICT -> "predict";
      case CLASSIFY -> "classify";
      case REGRESS -> "regress";
      default -> "";
    };
  }

  private void dispatch(RestRoute route, ByteBuffer body, OutputStream out) throws IOException {
    switch (route.kind()) {
      case STATUS -> out.write(ProtoJson.print(
          ModelResponses.status(core.status(route.modelName(), route.version())))
          .getBytes(StandardCharsets.UTF_8));
      case METADATA -> metadata(route, out);
      case PREDICT -> predict(route, body, out);
      case CLASSIFY, REGRESS -> classifyOrRegress(route, body, out);
    }
  }

  private void predict(RestRoute route, ByteBuffer body, OutputStream out) throws IOException {
    try (ServableHandle<SavedModelBundle> handle =
        core.acquire(route.modelName(), route.version(), route.label())) {
      SavedModelBundle bundle = handle.servable();
      Optional<ImagePreprocessor> images = core.images().forBundle(bundle);
      if (images.isPresent()) {
        ImageJsonRequest imageRequest =
            ImageJsonRequest.parse(body, images.get().config());
        if (imageRequest != null) {
          ImagePredictions.predictRest(bundle, images.get(), imageRequest,
              DecodeDeadline.afterMillis(timeoutMs), out);
          return;
        }
      }
      try (PredictJsonRequest request = PredictJsonReader.read(body, name -> inputTypes(bundle, name))) {
        Signature signature = bundle.signature(request.signatureName());
        InferenceRunner.checkPredictMethod(signature, core.checkMethodNames());
        try (RunResult result = SignatureRunner.run(bundle, signature, request.inputs(), List.of(),
            new SignatureRunner.RunSettings(timeoutMs))) {
          core.metrics().recordRun(handle.id().name(), "predict", result);
          PredictJsonWriter.write(out, result.outputs(), request.rowFormat());
        }
      }
    }
  }

  /** :classify and :regress, answered as {@code {"results": ...}} like TF Serving. */
  private void classifyOrRegress(RestRoute route, ByteBuffer body, OutputStream out) throws IOException {
    ExampleJson.Request request = ExampleJson.parse(body);
    try (ServableHandle<SavedModelBundle> handle =
        core.acquire(route.modelName(), route.version(), route.label())) {
      SavedModelBundle bundle = handle.servable();
      Signature signature = bundle.signature(request.signatureName());
      SignatureRunner.RunSettings settings = new SignatureRunner.RunSettings(timeoutMs);
      StringBuilder json = new StringBuilder("{\n    \"results\": [");
      if (route.kind() == RestRoute.Kind.CLASSIFY) {
        var result = InferenceRunner.classify(bundle, signature, request.input(), core.checkMethodNames(), settings);
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
      } else {
        var result = InferenceRunner.regress(bundle, signature, request.input(), core.checkMethodNames(), settings);
        for (int i = 0; i < result.getRegressionsCount(); i++) {
          json.append(i == 0 ? "" : ", ").append(FloatText.ofFloat(result.getRegressions(i).getValue()));
        }
      }
      out.write(json.append("]\n}").toString().getBytes(StandardCharsets.UTF_8));
    }
  }

  private static Map<String, DataType> inputTypes(SavedModelBundle bundle, String signatureName) {
    Signature signature = bundle.signature(signatureName);
    if (signature.inputs().isEmpty()) {
      throw ServingException.invalidArgument("Failed to get input map for signature: " + signature.key());
    }
    Map<String, DataType> types = new LinkedHashMap<>();
    for (TensorSpec spec : signature.inputs().values()) {
      DataType dtype = spec.dtype();
      if (dtype == null) {
        throw ServingException.unimplemented("input " + spec.alias() + " has an unsupported dtype ("
            + spec.dtypeNumber() + ")");
      }
      types.put(spec.alias(), dtype);
    }
    return types;
  }

  private void metadata(RestRoute route, OutputStream out) throws IOException {
    try (ServableHandle<SavedModelBundle> handle =
        core.acquire(route.modelName(), route.version(), route.label())) {
      try (JsonGenerator json = ProtoJson.FACTORY.createGenerator(out)) {
        json.setPrettyPrinter(ProtoJson.prettyPrinter());
        json.writeStartObject();
        json.writeFieldName("model_spec");
        ProtoJson.writeMessage(json, ModelResponses.resolvedSpec(
            handle.id().name(), handle.id().version(), ""));
        json.writeFieldName("metadata");
        json.writeStartObject();
        json.writeFieldName("signature_def");
        ProtoJson.writeMessage(json, ModelResponses.signatureDefMap(handle.servable()));
        json.writeEndObject();
        json.writeEndObject();
      }
    }
  }

  /** TF Serving's error body: {@code { "error": "<message>" }}, the message cut by {@link ErrorText}. */
  public static byte[] errorBody(String message) {
    StringBuilder escaped = new StringBuilder();
    JsonStringEncoder.getInstance().quoteAsString(ErrorText.truncate(message), escaped);
    return ("{ \"error\": \"" + escaped + "\" }").getBytes(StandardCharsets.UTF_8);
  }
}
