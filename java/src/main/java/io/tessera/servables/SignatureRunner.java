package io.tessera.servables;

import io.tessera.nativebridge.RunCall;
import io.tessera.nativebridge.SavedModelSession;
import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import io.tessera.tensor.DataType;
import io.tessera.tensor.InputTensor;
import io.tessera.tensor.OutputTensor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Runs one signature of a bundle: checks the request's inputs and output filter against the
 * signature (with TF Serving's error messages) and the feeds' shapes against the loaded graph
 * ({@link FeedShapes}), feeds the tensors without copying, fetches the outputs. Every run (REST,
 * gRPC, classify/regress, image, warm-up; direct or batched) goes through {@link #run}. Stateless
 * and thread-safe.
 */
public final class SignatureRunner {
  /** Requests with at most this many input bytes run on the caller's thread (no inter-op hand-off). */
  public static final long CALLER_THREAD_MAX_INPUT_BYTES = 4L << 20;

  private SignatureRunner() {}

  /** Per-call settings: the TensorFlow deadline (0 = none). */
  public record RunSettings(long timeoutMs) {
    public static final RunSettings DEFAULT = new RunSettings(0);
  }

  /**
   * @param inputs by alias; must name exactly the signature's inputs. Not closed here.
   * @param outputFilter aliases to fetch; empty means all outputs
   */
  public static RunResult run(SavedModelBundle bundle, Signature signature,
      Map<String, InputTensor> inputs, Collection<String> outputFilter, RunSettings settings) {
    checkInputsAndShapes(signature, inputs);
    Collection<TensorSpec> fetches = selectOutputs(signature, outputFilter);
    SavedModelSession session = bundle.session();
    RunCall call = session.newRunCall();
    try {
      long inputBytes = 0;
      for (Map.Entry<String, InputTensor> e : inputs.entrySet()) {
        TensorSpec spec = signature.inputs().get(e.getKey());
        e.getValue().feed(call, endpointOf(spec));
        inputBytes += e.getValue().byteSize();
      }
      for (TensorSpec spec : fetches) {
        call.addOutput(endpointOf(spec));
      }
      long runStarted = System.nanoTime();
      if (bundle.batching() != null) {
        // merged with concurrent calls; runs directly if not batchable
        call.runIn(bundle.batching(), settings.timeoutMs());
      } else {
        call.run(inputBytes <= CALLER_THREAD_MAX_INPUT_BYTES, settings.timeoutMs());
      }
      long runNanos = System.nanoTime() - runStarted;
      // TensorFlow enforces timeout_in_ms only on its inter-op pool; a run on the caller's thread
      // completes, so the deadline is checked here and reported the same way.
      if (settings.timeoutMs() > 0 && runNanos > settings.timeoutMs() * 1_000_000L) {
        throw new ServingException(StatusCode.DEADLINE_EXCEEDED, "Deadline Exceeded");
      }
      OutputTensor[] outputs = new OutputTensor[fetches.size()];
      int i = 0;
      for (TensorSpec spec : fetches) {
        DataType dtype = DataType.forNumber(call.outputDtype(i));
        if (dtype == null) {
          throw ServingException.unimplemented("output " + spec.alias()
              + " has a dtype Tessera cannot serialize: " + call.outputDtype(i));
        }
        outputs[i] = new OutputTensor(spec.alias(), dtype, call.outputShape(i),
            dtype.isString() ? null : call.outputData(i), call, i);
        i++;
      }
      return new RunResult(session, call, List.of(outputs), runNanos);
    } catch (RuntimeException e) {
      session.recycle(call);
      throw e;
    }
  }

  /**
   * {@link #checkInputs}, then {@link FeedShapes#check} (before TensorFlow sees a shape its kernels
   * may CHECK on), with one lookup per input on the common path; errors as the two in that order.
   */
  private static void checkInputsAndShapes(Signature signature, Map<String, InputTensor> inputs) {
    Map<String, TensorSpec> specs = signature.inputs();
    if (inputs.size() != specs.size()) {
      throw sizeMismatch(signature, inputs.keySet());
    }
    for (Map.Entry<String, InputTensor> e : inputs.entrySet()) {
      TensorSpec spec = specs.get(e.getKey());
      if (spec == null || !FeedShapes.compatible(spec.graphShape(), e.getValue().rank())) {
        checkInputs(signature, inputs.keySet());
        FeedShapes.check(signature, inputs);
      }
    }
  }

  private static int endpointOf(TensorSpec spec) {
    if (spec.endpoint() < 0) {
      throw new ServingException(StatusCode.FAILED_PRECONDITION, "signature tensor '"
          + spec.tensorName() + "' (" + spec.alias() + ") is not in the model's graph");
    }
    return spec.endpoint();
  }

  /**
   * Fails with TF Serving's "input size does not match signature" unless {@code given} names
   * exactly the signature's inputs (the guard of every run; wire requests are checked first, and
   * in TF Serving's steps, with {@link #checkInputCount} and {@link #missingInput}).
   */
  public static void checkInputs(Signature signature, Set<String> given) {
    if (given.size() != signature.inputs().size() || !signature.inputs().keySet().containsAll(given)) {
      throw sizeMismatch(signature, given);
    }
  }

  /**
   * TF Serving's {@code VerifyRequestInputsSize} (predict_util.cc): more inputs than the
   * signature has, or fewer while it has no default inputs, is "input size does not match
   * signature". Front ends' wire requests are checked with it before any tensor is decoded.
   */
  public static void checkInputCount(Signature signature, Set<String> given) {
    int want = signature.inputs().size();
    if (given.size() > want || (given.size() < want && signature.def().getDefaultsCount() == 0)) {
      throw sizeMismatch(signature, given);
    }
  }

  /**
   * TensorFlow's {@code GetInputValues} (saved_model/util.cc) for a signature input the request
   * lacks and that has no default value.
   */
  public static ServingException missingInput(Signature signature, String alias, Set<String> given) {
    return ServingException.invalidArgument("Signature input alias: " + alias + "(feed name: "
        + signature.inputs().get(alias).tensorName() + ") not found in request and no default value provided. "
        + "Inputs expected to be in the request {" + String.join(",", new TreeSet<>(given))
        + "}, or default input alias set: " + String.join(",", new TreeSet<>(signature.def().getDefaultsMap().keySet())));
  }

  private static ServingException sizeMismatch(Signature signature, Set<String> given) {
    Set<String> extra = new TreeSet<>(given);
    extra.removeAll(signature.inputs().keySet());
    Set<String> missing = new TreeSet<>(signature.inputs().keySet());
    missing.removeAll(given);
    return ServingException.invalidArgument("input size does not match signature: " + given.size()
        + "!=" + signature.inputs().size() + " len({" + String.join(",", new TreeSet<>(given))
        + "}) != len({" + String.join(",", new TreeSet<>(signature.inputs().keySet())) + "}). Sent extra: {"
        + String.join(",", extra) + "}. Missing but required: {" + String.join(",", missing) + "}.");
  }

  /**
   * All of the signature's outputs (a view, not copied), or the filter's, in the filter's order;
   * an unknown or repeated alias fails in TF Serving's words ({@code PreProcessPrediction}).
   */
  public static Collection<TensorSpec> selectOutputs(Signature signature, Collection<String> filter) {
    if (filter == null || filter.isEmpty()) {
      return signature.outputs().values();
    }
    List<TensorSpec> selected = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    for (String alias : filter) {
      TensorSpec spec = signature.outputs().get(alias);
      if (spec == null) {
        throw ServingException.invalidArgument("output tensor alias not found in signature: "
            + alias + " Outputs expected to be in the set {"
            + String.join(",", new TreeSet<>(signature.outputs().keySet())) + "}.");
      }
      if (!seen.add(alias)) {
        throw ServingException.invalidArgument("duplicate output tensor alias: " + alias);
      }
      selected.add(spec);
    }
    return selected;
  }
}
