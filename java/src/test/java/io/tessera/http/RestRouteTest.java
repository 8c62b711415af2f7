package io.tessera.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tessera.status.ServingException;
import org.junit.jupiter.api.Test;

class RestRouteTest {
  @Test
  void parsesEveryTfServingRouteShape() {
    assertEquals(new RestRoute(RestRoute.Kind.STATUS, "m", null, null), RestRoute.parse("GET", "/v1/models/m"));
    assertEquals(new RestRoute(RestRoute.Kind.STATUS, "m", 3L, null), RestRoute.parse("GET", "/v1/models/m/versions/3"));
    assertEquals(new RestRoute(RestRoute.Kind.METADATA, "m", null, "stable"),
        RestRoute.parse("GET", "/v1/models/m/labels/stable/metadata"));
    assertEquals(new RestRoute(RestRoute.Kind.PREDICT, "my model", 12L, null),
        RestRoute.parse("POST", "/v1/models/my%20model/versions/12:predict"));
    assertEquals(new RestRoute(RestRoute.Kind.CLASSIFY, "m", null, null), RestRoute.parse("POST", "/v1/models/m:classify"));
    assertEquals(new RestRoute(RestRoute.Kind.REGRESS, "m", null, "canary"),
        RestRoute.parse("POST", "/v1/models/m/labels/canary:regress"));
  }

  @Test
  void malformedRequestsAreInvalidArgument() {
    assertEquals("Malformed request: POST /v1/models/m", assertThrows(ServingException.class,
        () -> RestRoute.parse("POST", "/v1/models/m")).getMessage());
    assertThrows(ServingException.class, () -> RestRoute.parse("GET", "/v1/models/m:predict"));
    assertThrows(ServingException.class, () -> RestRoute.parse("DELETE", "/v1/models/m"));
    assertThrows(ServingException.class, () -> RestRoute.parse("GET", "/v1/models/m/versions/x"));
    assertEquals("Malformed request: bad percent-encoding in %zz", assertThrows(ServingException.class,
        () -> RestRoute.parse("GET", "/v1/models/%zz")).getMessage());
    assertTrue(RestRoute.isApiPath("/V1/models/m"));
    assertFalse(RestRoute.isApiPath("/metrics"));
  }
}
