package io.tessera.v2;

import io.tessera.serving.CallDeadline;
import io.tessera.serving.DeclaredTensor;
import io.tessera.serving.ModelRef;
import io.tessera.serving.Origin;
import io.tessera.serving.PredictCall;
import io.tessera.serving.PredictInputs;
import io.tessera.status.ServingException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A decoded inference request as the pipeline's predict call. Pure. */
public final class InferCalls {
  /** The API label of inference in the request metrics (REST and gRPC alike). */
  public static final String INFER = "ModelInfer";

  private InferCalls() {}

  /**
   * @param inputs by name, in request order (a repeated name is refused)
   * @param outputs the requested outputs; empty = all of the signature's
   */
  public static PredictCall predict(ModelRef model, Map<String, DeclaredTensor> inputs,
      List<RequestedOutput> outputs, CallDeadline deadline, Origin origin) {
    Map<String, Integer> classes = new LinkedHashMap<>();
    for (RequestedOutput o : outputs) {
      if (o.classification() < 0) {
        throw ServingException.invalidArgument("classification count for output '" + o.name()
            + "' must be positive, got " + o.classification());
      }
      if (o.classification() > 0) {
        classes.put(o.name(), o.classification());
      }
    }
    List<String> filter = outputs.stream().map(RequestedOutput::name).distinct().toList();
    return new PredictCall(model, "", new PredictInputs.Declared(inputs, V2Types::name), filter, deadline, origin,
        classes);
  }

  /** Adds one input, refusing a name given twice. */
  public static void addInput(Map<String, DeclaredTensor> inputs, String name, DeclaredTensor tensor) {
    if (inputs.putIfAbsent(name, tensor) != null) {
      if (tensor instanceof DeclaredTensor.Built built) {
        built.tensor().close();
      }
      throw ServingException.invalidArgument("input '" + name + "' is given more than once");
    }
  }
}
