package io.tessera.serving;

import io.tessera.core.ServableId;
import io.tessera.core.ServableState;
import io.tessera.core.VersionStatus;
import io.tessera.image.DecodeDeadline;
import io.tessera.image.DecodeObserver;
import io.tessera.image.ImageConfig;
import io.tessera.image.ImagePredictions;
import io.tessera.image.ImagePreprocessor;
import io.tessera.image.LabelScore;
import io.tessera.metrics.ServingMetrics;
import io.tessera.proto.serving.ClassificationResponse;
import io.tessera.proto.serving.Input;
import io.tessera.proto.serving.ModelSpec;
import io.tessera.proto.serving.RegressionResponse;
import io.tessera.proto.serving.SignatureDefMap;
import io.tessera.requestlog.RequestLogger;
import io.tessera.servables.RunResult;
import io.tessera.servables.Signature;
import io.tessera.servables.inference.InferenceRunner;
import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import io.tessera.tensor.InputTensor;
import io.tessera.tensor.WireTensorData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The one place where a request becomes a run, for every front end (REST, gRPC, warmup) and
 * every API. Per call, in this order: resolve the version (a ref-counted hold, released when the
 * call ends), decode inputs that need the version, look up the signature, check its method name
 * (--enable_signature_method_name_check; never for warmup), pick the image path, run with the one
 * {@link io.tessera.servables.SignatureRunner.RunSettings} derived from the call's deadline, and
 * hand the outputs to the front end's encoder while they are alive; a call whose version logs
 * requests and is sampled is then handed to its request log ({@link RequestLogs}). Metrics are recorded here and
 * nowhere else: one request sample per call (none for warmup; which gRPC methods count, e.g.
 * not MultiInference or GetModelMetadata, is TF Serving's rule as {@link ServingMetrics} applies
 * it) with the call's model name, and one runtime sample per TensorFlow run (a MultiInference
 * runs once per task) with the resolved name; both under the call's {@link Origin} labels. Errors
 * propagate unchanged as {@link ServingException} (or the unexpected RuntimeException); each front
 * end renders them once. Thread-safe and stateless beyond its collaborators.
 */
public final class Pipeline {
  /** Encodes a result while its tensors are alive; runs on the calling thread. */
  @FunctionalInterface
  public interface Encoder<T, R> {
    R encode(T result) throws IOException;
  }

  /** A GetModelMetadata answer: the resolved spec and the signatures. */
  public record Metadata(ModelSpec spec, SignatureDefMap signatureDefs) {}

  private final ModelVersions versions;
  private final ServingMetrics metrics;
  private final boolean checkMethodNames;

  /** @param checkMethodNames --enable_signature_method_name_check */
  public Pipeline(ModelVersions versions, ServingMetrics metrics, boolean checkMethodNames) {
    this.versions = versions;
    this.metrics = metrics;
    this.checkMethodNames = checkMethodNames;
  }

  /**
   * Predict. The call's inputs belong to the pipeline (closed when it returns or throws).
   *
   * @throws UncheckedIOException when the encoder failed to write
   */
  public <R> R predict(PredictCall call, Encoder<Predicted, R> encoder) {
    return timed(call.model().name(), call.origin(), () -> {
      PredictInputs inputs = call.inputs();
      try (OwnedInputs owned = new OwnedInputs(inputs)) {
        ResolvedVersion version = resolve(call.model(), inputs);
        OutputsLease lease = new OutputsLease(version);  // ends the hold, unless the encoder keeps the outputs
        try {
          String signatureName = call.signatureName();
          if (inputs instanceof PredictInputs.Deferred deferred) {
            PredictInputs.Decoded decoded = deferred.decode(version.model());
            owned.adopt(decoded.inputs());
            inputs = decoded.inputs();
            if (!decoded.signatureName().isEmpty()) {
              signatureName = decoded.signatureName();
            }
          }
          return PredictRun.run(this, call, version, signatureName, inputs, owned, lease, encoder);
        } finally {
          lease.endOfCall();
        }
      }
    });
  }

  /** Classify over tf.Examples. */
  public ClassificationResponse classify(ExamplesCall call) {
    return onExamples(call, (version, signature, input) -> ClassificationResponse.newBuilder()
        .setModelSpec(ModelResponses.resolvedSpec(version.id().name(), version.id().version(), signature.key()))
        .setResult(InferenceRunner.classify(version.model().servable(), signature, input,
            checksMethods(call.origin()), call.deadline().runSettings(), runRecorder(version, call.origin())))
        .build(), (log, version, examples, response) -> RequestLogs.classify(log, version, call.model(), examples, response));
  }

  /** Regress over tf.Examples. */
  public RegressionResponse regress(ExamplesCall call) {
    return onExamples(call, (version, signature, input) -> RegressionResponse.newBuilder()
        .setModelSpec(ModelResponses.resolvedSpec(version.id().name(), version.id().version(), signature.key()))
        .setResult(InferenceRunner.regress(version.model().servable(), signature, input,
            checksMethods(call.origin()), call.deadline().runSettings(), runRecorder(version, call.origin())))
        .build(), (log, version, examples, response) -> RequestLogs.regress(log, version, call.model(), examples, response));
  }

  /** What classify or regress does with the held version, its signature and the examples. */
  private interface ExamplesRun<R> {
    R run(ResolvedVersion version, Signature signature, Input input);
  }

  /** How a sampled classify or regress call is logged. */
  private interface ExamplesLogging<R> {
    void log(RequestLogger log, ResolvedVersion version, ExamplesCall.Examples examples, R response);
  }

  /**
   * Examples first (a body that does not parse is reported before a missing model), then the
   * version, the run and, when sampled, the request log record.
   */
  private <R> R onExamples(ExamplesCall call, ExamplesRun<R> run, ExamplesLogging<R> logging) {
    return timed(call.model().name(), call.origin(), () -> {
      ExamplesCall.Examples examples = call.examples().get();
      try (ResolvedVersion version = resolve(call.model(), null)) {
        R response = run.run(version, InferenceRunner.signatureFor(version.model().servable(),
            examples.signatureName()), examples.input());
        RequestLogger log = RequestLogs.sampled(version, call.origin());
        if (log != null) {
          try {
            logging.log(log, version, examples, response);
          } catch (RuntimeException e) {
            log.notBuilt(e);
          }
        }
        return response;
      }
    });
  }

  /** MultiInference (ServingMetrics leaves it out of request_count, as TF Serving does). */
  public io.tessera.proto.serving.MultiInferenceResponse multiInference(MultiInferenceCall call) {
    String model = call.tasks().isEmpty() ? "" : call.tasks().get(0).model().name();
    return timed(model, call.origin(), () -> MultiInferenceRun.run(this, call));
  }

  /** The one metadata field TF Serving supports. */
  public static final String SIGNATURE_DEF_FIELD = "signature_def";

  /** GetModelMetadata; the call's fields must be non-empty and name only {@value #SIGNATURE_DEF_FIELD}. */
  public Metadata metadata(MetadataCall call) {
    return timed(call.model().name(), call.origin(), () -> {
      if (call.model().specMissing()) {  // TF Serving's GetModelMetadataImpl checks this first
        throw ServingException.invalidArgument("Missing ModelSpec");
      }
      if (call.fields().isEmpty()) {
        throw ServingException.invalidArgument("GetModelMetadataRequest must specify at least one metadata_field");
      }
      for (String field : call.fields()) {
        if (!field.equals(SIGNATURE_DEF_FIELD)) {
          throw ServingException.invalidArgument("Metadata field " + field + " is not supported");
        }
      }
      try (ResolvedVersion version = resolve(call.model(), null)) {
        return new Metadata(ModelResponses.resolvedSpec(version.id().name(), version.id().version(), ""),
            ModelResponses.signatureDefMap(version.model().servable()));
      }
    });
  }

  /**
   * A model as the Open Inference Protocol's metadata describes it: the resolved version, the
   * signature it serves by default (the image config's, for an image model) and the AVAILABLE
   * versions, oldest first.
   */
  public record Description(ServableId id, Signature signature, List<Long> availableVersions) {}

  /** Model metadata (Open Inference Protocol); recorded like the other calls. */
  public Description describe(ModelRef ref, Origin origin) {
    return timed(ref.name(), origin, () -> {
      try (ResolvedVersion version = resolve(ref, null)) {
        String signature = version.model().images().map(p -> p.config().signatureName()).orElse("");
        List<Long> available = versions.status(ref.name(), null).stream()
            .filter(v -> v.state() == ServableState.AVAILABLE).map(VersionStatus::version).sorted().toList();
        return new Description(version.id(), version.model().servable().signature(signature), available);
      }
    });
  }

  /**
   * Whether the version {@code ref} names can serve now (Open Inference Protocol model ready):
   * false for an unknown model or version, the resolution's other errors propagate.
   */
  public boolean ready(ModelRef ref, Origin origin) {
    return timed(ref.name(), origin, () -> {
      try (ResolvedVersion version = resolve(ref, null)) {
        return true;
      } catch (ServingException e) {
        if (e.code() == StatusCode.NOT_FOUND) {
          return false;
        }
        throw e;
      }
    });
  }

  /** Model status (REST GET /v1/models/m[/versions/n]); recorded like the other calls. */
  public List<VersionStatus> status(String name, Long version, Origin origin) {
    return timed(name, origin, () -> versions.status(name, version));
  }

  // ---- shared by the per-API runs (package-private) ----

  ResolvedVersion resolve(ModelRef ref, PredictInputs inputs) {
    try {
      return versions.acquire(ref);
    } catch (ServingException notResolved) {
      if (inputs instanceof PredictInputs.Deferred deferred) {
        deferred.checkBeforeLookup();  // a malformed body is reported before a missing model
      }
      throw notResolved;
    }
  }

  boolean checksMethods(Origin origin) {
    return checkMethodNames && origin.entryPoint() != Origin.EntryPoint.WARMUP;
  }

  /** Records one finished run's runtime (and its batch, for the batch's first call). */
  Consumer<RunResult> runRecorder(ResolvedVersion version, Origin origin) {
    return result -> metrics.recordRun(version.id().name(), origin.api(), result);
  }

  /**
   * Decodes a call's encoded images for {@code version}'s model; each decoded image's time, or a
   * failed call's time and status, goes to {@code tessera_image_decode_seconds} (not for warmup).
   */
  InputTensor decodeImages(ResolvedVersion version, Origin origin, ImagePreprocessor images,
      List<ByteBuffer> encoded, DecodeDeadline deadline) {
    long started = System.nanoTime();
    try {
      return images.decodeBuffers(encoded, deadline, decodeObserver(version, origin));
    } catch (RuntimeException | Error e) {
      if (origin.entryPoint() != Origin.EntryPoint.WARMUP) {
        metrics.images().recordDecodeFailure(version.id().name(), statusOf(e), System.nanoTime() - started);
      }
      throw e;
    }
  }

  /** Records each decoded image of a client's call to {@code version} (image metrics; not warmup). */
  DecodeObserver decodeObserver(ResolvedVersion version, Origin origin) {
    if (origin.entryPoint() == Origin.EntryPoint.WARMUP) {
      return DecodeObserver.NONE;
    }
    String model = version.id().name();
    return (bytes, nanos) -> metrics.images().recordDecode(model, bytes, nanos);
  }

  /** Records a client's image call: its size and each image's top-1 class and score (not warmup). */
  void recordImagePredictions(ResolvedVersion version, Origin origin, int count, ImagePreprocessor images,
      RunResult result) {
    if (origin.entryPoint() == Origin.EntryPoint.WARMUP) {
      return;
    }
    String model = version.id().name();
    metrics.images().recordRequest(model, count);
    for (List<LabelScore> row : ImagePredictions.topK(result.outputs(), 1, images.config().labels())) {
      if (!row.isEmpty()) {
        LabelScore best = row.get(0);
        String label = best.label() != null ? best.label() : Integer.toString(best.index());
        metrics.images().recordTop1(model, label, best.score());
      }
    }
  }

  /** The labelled top-k rows an image call asked for (or its model's default_top_k), else null. */
  static List<List<LabelScore>> topK(ImagePreprocessor images, int asked, RunResult result) {
    ImageConfig config = images.config();
    int k = asked > 0 ? asked : config.defaultTopK();
    return k > 0 ? ImagePredictions.topK(result.outputs(), k, config.labels()) : null;
  }

  /**
   * A REST call on an API path that TF Serving's http_server.cc answers without reaching a model:
   * the CORS preflight (OPTIONS) and a path no route matches ("Malformed request"). ProcessRequest
   * records request_count for them too, under the empty model name and API (request_latency when
   * OK), so they are counted here the same way.
   */
  public void recordUnroutedRestCall(StatusCode status) {
    metrics.recordRequest("", "", Origin.EntryPoint.REST.label(), status.name(), 0);
  }

  /** @param model the call's model name (null: no ModelSpec, recorded as "" as TF Serving does) */
  private <R> R timed(String model, Origin origin, Supplier<R> body) {
    String recordedName = model == null ? "" : model;
    long started = System.nanoTime();
    String status = "OK";
    String label = origin.entryPoint().label();
    Runnable finished = label == null ? null : metrics.operators().startRequest(recordedName, origin.api(), label);
    try {
      return body.get();
    } catch (RuntimeException | Error e) {
      status = statusOf(e);
      throw e;
    } finally {
      if (finished != null) {  // ServingMetrics applies TF Serving's rule of what counts
        finished.run();
        metrics.recordRequest(recordedName, origin.api(), label, status, System.nanoTime() - started);
      }
    }
  }

  /** The status label of a failed call: its ServingException's code, else INTERNAL. */
  private static String statusOf(Throwable failure) {
    return failure instanceof ServingException e ? e.code().name() : StatusCode.INTERNAL.name();
  }

  /** Every tensor a predict call owns, closed once at its end. */
  static final class OwnedInputs implements AutoCloseable {
    private final ArrayList<InputTensor> tensors = new ArrayList<>();
    private final ArrayList<WireTensorData> data = new ArrayList<>();

    OwnedInputs(PredictInputs given) {
      adopt(given);
    }

    void adopt(PredictInputs inputs) {
      if (inputs instanceof PredictInputs.Tensors given) {
        tensors.addAll(given.tensors().values());
      } else if (inputs instanceof PredictInputs.Protos protos) {
        data.addAll(protos.data().values());
      } else if (inputs instanceof PredictInputs.Declared declared) {
        for (DeclaredTensor t : declared.tensors().values()) {
          if (t instanceof DeclaredTensor.Built built) {
            tensors.add(built.tensor());
          }
        }
      }
    }

    InputTensor add(InputTensor tensor) {
      tensors.add(tensor);
      return tensor;
    }

    void addAll(Map<String, InputTensor> more) {
      tensors.addAll(more.values());
    }

    @Override
    public void close() {
      tensors.forEach(InputTensor::close);
      data.forEach(WireTensorData::close);  // what no tensor took over
    }
  }
}
