package io.tessera.servables.inference;

import com.google.protobuf.ByteString;
import io.tessera.proto.serving.Input;
import io.tessera.proto.tf.Example;
import io.tessera.status.ServingException;
import java.util.ArrayList;
import java.util.List;

/**
 * A Classify/Regress/MultiInference {@code Input} as the serialized tf.Examples fed to the
 * signature's string input. With {@code example_list_with_context} each element is the context's
 * bytes followed by the example's: parsed as one message, that is the merge of both (protobuf
 * concatenation), the same merged Example TF Serving feeds. Pure.
 */
public final class ExampleInputs {
  private ExampleInputs() {}

  public static List<byte[]> serialize(Input input) {
    List<byte[]> serialized = new ArrayList<>();
    switch (input.getKindCase()) {
      case EXAMPLE_LIST -> {
        for (Example e : input.getExampleList().getExamplesList()) {
          serialized.add(e.toByteArray());
        }
      }
      case EXAMPLE_LIST_WITH_CONTEXT -> {
        ByteString context = input.getExampleListWithContext().getContext().toByteString();
        for (Example e : input.getExampleListWithContext().getExamplesList()) {
          serialized.add(context.concat(e.toByteString()).toByteArray());
        }
      }
      default -> throw ServingException.invalidArgument("Input is empty.");
    }
    if (serialized.isEmpty()) {
      throw ServingException.invalidArgument("Input is empty.");
    }
    return serialized;
  }
}
