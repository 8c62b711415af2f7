package io.tessera.proto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Int64Value;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import java.util.List;
import java.util.Map;

/** Helpers for the byte-level round trips between Camel's classes and ours. */
final class RoundTrips {
  private RoundTrips() {}

  static void assertNoUnknownFields(Message m, String path) {
    assertTrue(
        m.getUnknownFields().asMap().isEmpty(),
        path + " has unknown fields " + m.getUnknownFields().asMap().keySet());
    for (Map.Entry<FieldDescriptor, Object> e : m.getAllFields().entrySet()) {
      FieldDescriptor f = e.getKey();
      if (f.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
        continue;
      }
      if (f.isRepeated()) {
        int i = 0;
        for (Object o : (List<?>) e.getValue()) {
          assertNoUnknownFields((Message) o, path + "." + f.getName() + "[" + i++ + "]");
        }
      } else {
        assertNoUnknownFields((Message) e.getValue(), path + "." + f.getName());
      }
    }
  }

  /**
   * Camel bytes -> our parse (no unknown fields) -> our bytes must equal Camel's bytes and parse back
   * to an equal Camel message; and the reverse direction from our message.
   */
  static <O extends Message, C extends Message> O roundTrip(
      C camel, Parser<O> ourParser, Parser<C> camelParser) throws Exception {
    byte[] camelBytes = camel.toByteArray();
    assertTrue(camelBytes.length > 0);
    O ours = ourParser.parseFrom(camelBytes);
    assertNoUnknownFields(ours, ours.getDescriptorForType().getName());
    byte[] ourBytes = ours.toByteArray();
    assertArrayEquals(camelBytes, ourBytes, "re-serialized bytes differ");
    C back = camelParser.parseFrom(ourBytes);
    assertEquals(camel, back);
    assertNoUnknownFields(back, "camel " + back.getDescriptorForType().getName());
    return ours;
  }

  static org.tensorflow.framework.TensorShapeProto camelShape(long... dims) {
    org.tensorflow.framework.TensorShapeProto.Builder b =
        org.tensorflow.framework.TensorShapeProto.newBuilder();
    for (long d : dims) {
      b.addDim(org.tensorflow.framework.TensorShapeProto.Dim.newBuilder().setSize(d));
    }
    return b.build();
  }

  static tensorflow.serving.Model.ModelSpec camelSpec() {
    return tensorflow.serving.Model.ModelSpec.newBuilder()
        .setName("half_plus_two")
        .setVersion(Int64Value.of(123))
        .setSignatureName("serving_default")
        .build();
  }
}
