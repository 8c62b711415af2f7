package io.tessera.tensor.json;

import static io.tessera.tensor.DataType.DT_FLOAT;
import static io.tessera.tensor.DataType.DT_INT32;
import static io.tessera.tensor.DataType.DT_STRING;
import static io.tessera.tensor.json.JsonTestSupport.failMessage;
import static io.tessera.tensor.json.JsonTestSupport.sig;
import static io.tessera.tensor.json.JsonTestSupport.sigs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** TF Serving's exact error texts (json_tensor.cc), as REST clients see them. */
class PredictJsonReaderErrorsTest {
  private static final SignatureInputs INT = sig("default", DT_INT32);
  private static final SignatureInputs TWO = sig("int_tensor", DT_INT32, "str_tensor", DT_STRING);

  @Test
  void documentLevelErrors() {
    assertEquals("JSON Parse error: The document is empty", failMessage("", INT));
    assertEquals("JSON Parse error: The document is empty. at offset: 3", failMessage("   ", INT));
    assertTrue(failMessage("{\"instances\": [1, 2}", INT).startsWith("JSON Parse error: "));
    assertEquals("JSON Parse error: Missing a colon after a name of object member. at offset: 13",
        failMessage("{\"instances\" [1]}", INT));
    assertEquals("JSON Value: [1, 2] Is not object", failMessage("[1,2]", INT));
    assertEquals("JSON Value: {\n    \"signature_name\": 5,\n    \"instances\": [[1, 2], [3, 4], "
        + "[5, 6, 7]]\n} not formatted correctly. 'signature_name' key must be a string value.",
        failMessage("{\"signature_name\": 5, \"instances\": [[1,2],[3,4],[5,6,7]]}", INT));
    assertEquals("JSON Value: {\n    \"instances\": [[1, 2], [3, 4], [5, 6, 7]],\n    \"inputs\": "
        + "[[1, 2], [3, 4], [5, 6, 7]]\n} Not formatted correctly expecting only one of 'inputs' or "
        + "'instances' keys to exist ",
        failMessage("{\"instances\": [[1,2],[3,4],[5,6,7]], \"inputs\": [[1,2],[3,4],[5,6,7]]}", INT));
    assertEquals("Missing 'inputs' or 'instances' key", failMessage("{\"foo\": 1}", INT));
    assertEquals("JSON Value: {\n    \"instances\": 5\n} Expecting 'instances' to be an list/array",
        failMessage("{\"instances\": 5}", INT));
    assertEquals("JSON Value: {\n    \"instances\": []\n} No values in 'instances' array",
        failMessage("{\"instances\": []}", INT));
    assertEquals("Failed to get input map for signature: get_counter", failMessage(
        "{\"signature_name\": \"get_counter\", \"instances\": [1]}",
        sigs(Map.of("get_counter", Map.of()))));
    assertEquals("Failed to get input map for signature: DEFAULT",
        failMessage("{\"instances\": [1]}", sigs(Map.of("serving_default", Map.of()))));
  }

  @Test
  void longDocumentsAreCutInTheMessage() {
    StringBuilder b = new StringBuilder("{\"instances\": [");
    for (int i = 0; i < 200; i++) {
      b.append(i).append(", ");
    }
    b.append("1], \"inputs\": [1]}");
    String m = failMessage(b.toString(), INT);
    String echoed = m.substring("JSON Value: ".length(), m.indexOf(" Not formatted"));
    assertTrue(echoed.length() >= DebugText.LIMIT && echoed.length() < DebugText.LIMIT + 8, echoed);
  }

  /** A photo sent as {"b64": ...} to a float input: the message echoes a bounded prefix. */
  @Test
  void longStringsAreCutInTheMessage() {
    String b64 = "QUJD".repeat(25_000);
    String m = failMessage("{\"instances\": [{\"b64\": \"" + b64 + "\"}]}", sig("images", DT_FLOAT));
    assertTrue(m.length() < 2 * DebugText.LIMIT + 200, m.length() + " chars: " + m.substring(0, 300));
    assertTrue(m.contains("QUJDQUJD"), m);
  }

  @Test
  void rowFormatShapeErrors() {
    assertEquals("Failed to process element: 2 of 'instances' list. Error: INVALID_ARGUMENT: "
        + "Expecting tensor size: 2 but got: 3",
        failMessage("{\"instances\": [[1,2],[3,4],[5,6,7]]}", INT));
    assertEquals("Failed to process element: 2 of 'instances' list. Error: INVALID_ARGUMENT: "
        + "Expecting shape [2] but got: [1,2]",
        failMessage("{\"instances\": [[1,2],[3,4],[[5,6]]]}", INT));
    assertEquals("Failed to process element: 1 of 'instances' list. Error: INVALID_ARGUMENT: "
        + "Expecting shape [] but got: [1]", failMessage("{\"instances\": [1, [1]]}", INT));
    assertEquals("Failed to process element: 1 of 'instances' list. Error: INVALID_ARGUMENT: "
        + "JSON Value: \"a\" Type: String is not of expected type: int32",
        failMessage("{\"instances\": [[1,2],[\"a\", \"b\"]]}", INT));
    assertEquals("Failed to process element: 0 of 'instances' list. Error: INVALID_ARGUMENT: "
        + "Encountered list at unexpected size: 1 at level: 1 expected size: 2",
        failMessage("{\"instances\": [[[1,2],[3]]]}", INT));
  }

  @Test
  void rowFormatObjectErrors() {
    assertEquals("instances is a plain list, but expecting list of objects as multiple input "
        + "tensors required as per tensorinfo_map", failMessage("{\"instances\": [[1]]}", TWO));
    assertEquals("Expecting object but got list at item 1 of input list", failMessage(
        "{\"instances\": [{\"int_tensor\": 1, \"str_tensor\": \"a\"}, [1, 20, 30]]}", TWO));
    assertEquals("Expecting value/list but got object at item 1 of input list", failMessage(
        "{\"instances\": [[\"baz\", \"bar\"], {\"str_tensor\": [\"baz\", \"bat\"]}]}",
        sig("str_tensor", DT_STRING)));
    assertEquals("Failed to process element: 0 of 'instances' list. JSON object: {\n    "
        + "\"int_tensor\": 1\n} keys must be equal to: int_tensor,str_tensor",
        failMessage("{\"instances\": [{\"int_tensor\": 1}]}", TWO));
    assertEquals("Failed to process element: 0 key: zzz of 'instances' list. Error: "
        + "INVALID_ARGUMENT: JSON object: does not have named input: zzz",
        failMessage("{\"instances\": [{\"int_tensor\": 1, \"zzz\": 2}]}", TWO));
    assertEquals("Failed to process element: 1 key: int_tensor of 'instances' list. Error: "
        + "INVALID_ARGUMENT: Expecting shape [3,2] but got: [1,3,2]", failMessage(
        "{\"instances\": [{\"int_tensor\": [[1,2],[3,4],[5,6]], \"str_tensor\": [\"foo\", \"bar\"]},"
        + "{\"int_tensor\": [[[7,8],[9,0],[1,2]]], \"str_tensor\": [\"baz\", \"bat\"]}]}", TWO));
  }

  @Test
  void columnarErrors() {
    assertEquals("Encountered list at unexpected size: 1 at level: 1 expected size: 2",
        failMessage("{\"inputs\": [[1,2],[3]]}", INT));
    assertEquals("Encountered list at unexpected level: 1 expected < 1",
        failMessage("{\"inputs\": [1, [2]]}", INT));
    assertEquals("JSON Value: 1 found at incorrect level: 2 in the JSON DOM. Expected at level: 2",
        failMessage("{\"inputs\": [[1], 1]}", INT));
    assertEquals("inputs is a plain value/list, but expecting an object as multiple input tensors "
        + "required as per tensorinfo_map", failMessage("{\"inputs\": [1]}", TWO));
    assertEquals("Missing named input: str_tensor in 'inputs' object.",
        failMessage("{\"inputs\": {\"int_tensor\": 1}}", TWO));
    assertEquals("JSON Value: 1.5 Type: Number is not of expected type: int32",
        failMessage("{\"inputs\": [1.5]}", INT));
    assertEquals("JSON Value: 3000000000 Type: Number is not of expected type: int32",
        failMessage("{\"inputs\": 3000000000}", INT));
    assertEquals("JSON Value: true Type: True is not of expected type: float",
        failMessage("{\"inputs\": [true]}", sig("x", DT_FLOAT)));
    assertEquals("JSON Value: null Type: Null is not of expected type: string",
        failMessage("{\"inputs\": [null]}", sig("s", DT_STRING)));
    assertEquals("JSON Value:  Type: Number is not of expected type: int32",
        failMessage("{\"inputs\": [NaN]}", INT));
    assertEquals("JSON Value: {\n    \"b64\": \"aGk=\"\n} Type: Object is not of expected type: int32",
        failMessage("{\"inputs\": [{\"b64\": \"aGk=\"}]}", INT));
  }

  @Test
  void base64Errors() {
    SignatureInputs s = sig("s", DT_STRING);
    assertEquals("Unable to base64 decode", failMessage("{\"inputs\": {\"b64\": \"!!\"}}", s));
    assertEquals("JSON Value: {\n    \"b64\": \"aGk=\",\n    \"x\": 1\n} not formatted correctly "
        + "for base64 data", failMessage("{\"inputs\": [{\"b64\": \"aGk=\", \"x\": 1}]}", s));
    assertEquals("JSON Value: {\n    \"b64\": 5\n} not formatted correctly for base64 data",
        failMessage("{\"inputs\": [{\"b64\": 5}]}", s));
  }
}
