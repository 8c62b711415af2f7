package io.tessera.tensor.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.admission.MemoryBudget;
import io.tessera.proto.serving.Input;
import io.tessera.proto.tf.Feature;
import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The :classify / :regress body as TF Serving's util/json_tensor.cc builds its Input
 * (FillClassifyRegressRequestFromJson, MakeExampleFromJsonObject, AddValueToFeature); the error
 * texts are checked against the real server in {@code it/ClassifyRegressFidelityIT}.
 */
class ExampleJsonReaderTest {
  @AfterEach
  void unlimitedBudget() {
    MemoryBudget.install(new MemoryBudget(Long.MAX_VALUE));
  }

  private static ExampleJsonReader.Request read(String body) {
    return ExampleJsonReader.read(ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)));
  }

  private static Feature feature(String value) {
    return read("{\"examples\": [{\"f\": " + value + "}]}").input().getExampleList().getExamples(0)
        .getFeatures().getFeatureOrThrow("f");
  }

  @Test
  void valueKindsFollowRapidjsonsNumberTypes() {
    assertEquals(List.of(1L, 0L, 7L), feature("[true, false, 7]").getInt64List().getValueList());
    assertEquals(List.of(1.5f, Float.NaN), feature("[1.5, NaN]").getFloatList().getValueList());
    assertEquals(List.of(2f), feature("2e0").getFloatList().getValueList());
    // beyond int64 and negative: rapidjson makes it a double
    assertEquals(Feature.KindCase.FLOAT_LIST, feature("-9223372036854775809").getKindCase());
    assertEquals("ab", feature("[\"ab\"]").getBytesList().getValue(0).toStringUtf8());
    assertEquals(List.of((byte) 0), List.of(feature("{\"b64\": \"AA==\"}").getBytesList().getValue(0).byteAt(0)));
  }

  /** An empty list adds no value: the Feature has no kind, as TF Serving's does. */
  @Test
  void anEmptyListIsAFeatureWithoutKind() {
    assertEquals(Feature.KindCase.KIND_NOT_SET, feature("[]").getKindCase());
  }

  @Test
  void aContextMakesAnExampleListWithContext() {
    ExampleJsonReader.Request r = read("{\"signature_name\": \"s\", \"context\": {\"c\": 1}, "
        + "\"examples\": [{\"x\": 1.0}, {}]}");
    assertEquals("s", r.signatureName());
    assertEquals(Input.KindCase.EXAMPLE_LIST_WITH_CONTEXT, r.input().getKindCase());
    assertEquals(2, r.input().getExampleListWithContext().getExamplesCount());
    assertEquals(1L, r.input().getExampleListWithContext().getContext().getFeatures().getFeatureOrThrow("c")
        .getInt64List().getValue(0));
  }

  /** rapidjson's FindMember: the first "examples" member is the one read; a repeated feature keeps its last. */
  @Test
  void firstTopLevelMemberWinsLastFeatureWins() {
    ExampleJsonReader.Request r = read("{\"examples\": [{\"x\": 1, \"x\": 2.5}], \"examples\": []}");
    assertEquals(List.of(2.5f), r.input().getExampleList().getExamples(0).getFeatures().getFeatureOrThrow("x")
        .getFloatList().getValueList());
  }

  @Test
  void errorsAreInvalidArgumentAndTheDomIsReleased() {
    MemoryBudget budget = new MemoryBudget(1 << 20);
    MemoryBudget.install(budget);
    ServingException e = assertThrows(ServingException.class, () -> read("{\"examples\": [{\"x\": [1, \"a\"]}]}"));
    assertEquals(StatusCode.INVALID_ARGUMENT, e.code());
    assertEquals("Unexpected element type in feature: x expecting type: int64", e.getMessage());
    assertEquals(0, budget.used(), "the DOM's reservation is returned");
    e = assertThrows(ServingException.class, () -> read("{\"examples\": [{\"x\": 1" + ",1".repeat(100_000) + "]}"));
    assertTrue(e.getMessage().startsWith("JSON Parse error: "), e.getMessage());
    e = assertThrows(ServingException.class, () -> read("{\"examples\": [" + "1,".repeat(1 << 15) + "1]}"));
    assertEquals(StatusCode.RESOURCE_EXHAUSTED, e.code(), e.getMessage());
    assertEquals(0, budget.used());
  }
}
