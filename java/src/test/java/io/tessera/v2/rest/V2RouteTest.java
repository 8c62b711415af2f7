package io.tessera.v2.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.status.ServingException;
import io.tessera.status.StatusCode;
import org.junit.jupiter.api.Test;

class V2RouteTest {
  @Test
  void parsesTheProtocolsPaths() {
    assertEquals(new V2Route(V2Route.Kind.LIVE, null, null), V2Route.parse("GET", "/v2/health/live"));
    assertEquals(new V2Route(V2Route.Kind.SERVER_METADATA, null, null), V2Route.parse("GET", "/v2"));
    assertEquals(new V2Route(V2Route.Kind.MODEL_METADATA, "m", null), V2Route.parse("GET", "/v2/models/m"));
    assertEquals(new V2Route(V2Route.Kind.MODEL_READY, "m", "3"), V2Route.parse("GET", "/v2/models/m/versions/3/ready"));
    assertEquals(new V2Route(V2Route.Kind.INFER, "a b", "stable"),
        V2Route.parse("POST", "/v2/models/a%20b/versions/stable/infer"));
    assertEquals(new V2Route(V2Route.Kind.INDEX, null, null), V2Route.parse("POST", "/v2/repository/index"));
    assertEquals(new V2Route(V2Route.Kind.UNLOAD, "m", null), V2Route.parse("POST", "/v2/repository/models/m/unload"));
  }

  @Test
  void wrongMethodsAndUnknownPathsAreNotFound() {
    for (String[] call : new String[][] {{"GET", "/v2/models/m/infer"}, {"POST", "/v2/models/m"},
        {"POST", "/v2/health/live"}, {"GET", "/v2/repository/index"}, {"GET", "/v2/models"}, {"GET", "/v2/x"},
        {"DELETE", "/v2/models/m"}}) {
      ServingException e = assertThrows(ServingException.class, () -> V2Route.parse(call[0], call[1]));
      assertEquals(StatusCode.NOT_FOUND, e.code(), call[0] + " " + call[1]);
    }
    assertEquals(StatusCode.INVALID_ARGUMENT,
        assertThrows(ServingException.class, () -> V2Route.parse("GET", "/v2/models/%zz")).code());
  }

  @Test
  void ownsOnlyV2() {
    assertTrue(V2Route.owns("/v2"));
    assertTrue(V2Route.owns("/v2/models/m"));
    assertFalse(V2Route.owns("/v1/models/m"));
    assertFalse(V2Route.owns("/v22"));
  }
}
