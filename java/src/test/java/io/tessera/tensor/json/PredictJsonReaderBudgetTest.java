package io.tessera.tensor.json;

import static io.tessera.tensor.DataType.DT_FLOAT;
import static io.tessera.tensor.json.JsonTestSupport.fail;
import static io.tessera.tensor.json.JsonTestSupport.read;
import static io.tessera.tensor.json.JsonTestSupport.sig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.admission.MemoryBudget;
import io.tessera.status.StatusCode;
import io.tessera.tensor.InputTensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** REST bodies built to exhaust memory: rank, the exact path's DOM, the decoded tensors' budget. */
class PredictJsonReaderBudgetTest {
  private static final SignatureInputs X = sig("x", DT_FLOAT);

  @AfterEach
  void unlimitedBudget() {
    MemoryBudget.install(new MemoryBudget(Long.MAX_VALUE));
  }

  private static String zeros(int n) {
    return "0,".repeat(n - 1) + "0";
  }

  @Test
  void nestingBeyondTensorFlowsMaximumRankIsInvalidArgument() {
    for (int depth : new int[] {255, 300, 100_000}) {
      String nested = "[".repeat(depth) + "1" + "]".repeat(depth);
      for (String body : new String[] {"{\"instances\": " + nested + "}", "{\"inputs\": " + nested + "}"}) {
        assertEquals(StatusCode.INVALID_ARGUMENT, fail(body, X).code(), depth + " levels");
      }
    }
    String max = "[".repeat(254) + "1" + "]".repeat(254);
    read("{\"inputs\": " + max + "}", X).inputs().values().forEach(InputTensor::close);
  }

  @Test
  void decodedTensorsAndTheExactPathsDomAreReservedAndReleased() {
    MemoryBudget budget = new MemoryBudget(64L << 20);
    MemoryBudget.install(budget);
    PredictJsonRequest ok = read("{\"instances\": [" + zeros(1000) + "]}", X);
    assertTrue(budget.used() >= 4000, "tensor bytes held: " + budget.used());
    ok.inputs().values().forEach(InputTensor::close);
    assertEquals(0, budget.used());
    // A trailing bad value sends the body down the exact path (a DOM of every value).
    String fallsBack = "{\"instances\": [" + zeros(100_000) + ", \"x\"]}";
    assertEquals(StatusCode.INVALID_ARGUMENT, fail(fallsBack, X).code());
    assertEquals(0, budget.used(), "DOM and builders released after an error");
    MemoryBudget.install(new MemoryBudget(1L << 20));
    assertEquals(StatusCode.RESOURCE_EXHAUSTED, fail(fallsBack, X).code(),
        "100k values need ~6 MB of DOM, more than a 1 MiB budget");
    assertEquals(StatusCode.RESOURCE_EXHAUSTED, fail("{\"instances\": [" + zeros(1 << 19) + "]}", X).code(),
        "2 MiB of floats do not fit a 1 MiB budget");
  }
}
