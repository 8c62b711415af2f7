package io.tessera.serving;

import io.tessera.proto.serving.Input;
import java.util.function.Supplier;

/**
 * One Classify or Regress over tf.Examples, from any front end. The examples are supplied lazily:
 * the pipeline asks for them first, before resolving the model, so a body that does not parse is
 * reported (and recorded) before a missing model, as TF Serving does.
 */
public record ExamplesCall(ModelRef model, Supplier<Examples> examples, CallDeadline deadline, Origin origin) {
  /** @param signatureName "" = serving_default */
  public record Examples(String signatureName, Input input) {}

  /** A call whose examples are already decoded (gRPC, warmup). */
  public static ExamplesCall of(ModelRef model, String signatureName, Input input, CallDeadline deadline,
      Origin origin) {
    Examples examples = new Examples(signatureName, input);
    return new ExamplesCall(model, () -> examples, deadline, origin);
  }
}
