package io.tessera.v2.rest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.status.ServingException;
import io.tessera.tensor.DataType;
import io.tessera.v2.RequestedOutput;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The header pass of the v2 request reader (no tensors are built here). */
class InferJsonTest {
  private static InferJson.Header header(String json) {
    return InferJson.header(ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void readsInputsOutputsAndParametersInAnyOrder() {
    InferJson.Header h = header("{\"outputs\": [{\"name\": \"b\", \"parameters\": {\"classification\": 2}},"
        + " {\"parameters\": {\"binary_data\": false}, \"name\": \"c\"}], \"parameters\": {\"binary_data_output\": true},"
        + " \"inputs\": [{\"data\": [1, [2]], \"shape\": [2], \"datatype\": \"INT64\", \"name\": \"x\"},"
        + " {\"name\": \"y\", \"shape\": [1, 3], \"datatype\": \"BYTES\", \"parameters\": {\"binary_data_size\": 9}}],"
        + " \"id\": \"q\", \"unknown\": {\"deep\": [1, {}]}}");
    assertEquals("q", h.id());
    assertEquals("x", h.inputs().get(0).name());
    assertEquals(DataType.DT_INT64, h.inputs().get(0).dtype());
    assertEquals(-1, h.inputs().get(0).binarySize());
    assertArrayEquals(new long[] {1, 3}, h.inputs().get(1).shape());
    assertEquals(9, h.inputs().get(1).binarySize());
    assertEquals(List.of(new RequestedOutput("b", true, 2), new RequestedOutput("c", false, 0)), h.outputs());
    assertTrue(h.allBinary());
  }

  @Test
  void refusesMalformedHeaders() {
    for (String bad : List.of("[]", "{\"inputs\": []}", "{\"inputs\": [{\"name\": \"x\"}]}",
        "{\"inputs\": [{\"name\": \"x\", \"shape\": [1], \"datatype\": \"FLOAT32\", \"data\": [1]}]}",
        "{\"inputs\": [{\"name\": \"x\", \"shape\": [\"1\"], \"datatype\": \"FP32\", \"data\": [1]}]}",
        "{\"inputs\": [{\"name\": \"x\", \"shape\": [1], \"datatype\": \"FP32\", \"parameters\": {\"binary_data_size\": -4}}]}",
        "{\"inputs\": [{\"name\": \"x\", \"shape\": [1], \"datatype\": \"FP32\", \"data\": [1]}],"
            + " \"outputs\": [{\"name\": \"y\", \"parameters\": {\"classification\": 0}}]}",
        "{\"inputs\": [{\"name\": \"x\", \"shape\": [1], \"datatype\": \"FP32\", \"data\": [1]",
        "{\"id\": 5, \"inputs\": []}")) {
      assertThrows(ServingException.class, () -> header(bad), bad);
    }
  }
}
