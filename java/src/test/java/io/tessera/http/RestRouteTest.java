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
    assertEquals("Malformed request: POST /v1/models/m:PREDICT", assertThrows(ServingException.class,
        () -> RestRoute.parse("POST", "/v1/models/m:PREDICT")).getMessage());
    assertEquals("Malformed request: POST /v1/models/m:predict?x=1", assertThrows(ServingException.class,
        () -> RestRoute.parse("POST", "/v1/models/m:predict?x=1")).getMessage());
    assertEquals("Failed to convert version: 99999999999999999999 to numeric.", assertThrows(ServingException.class,
        () -> RestRoute.parse("GET", "/v1/models/versions/99999999999999999999")).getMessage());
    assertTrue(RestRoute.isApiPath("/V1/models/m"));
    assertFalse(RestRoute.isApiPath("/metrics"));
  }

  @Test
  void decodesNameAndLabelOnceAsCurlUnescape() {
    // http_rest_api_util.cc DecodeArg: curl_easy_unescape, once; '+' and bad escapes stay as they are.
    assertEquals(new RestRoute(RestRoute.Kind.STATUS, "%21", null, null), RestRoute.parse("GET", "/v1/models/%2521"));
    assertEquals(new RestRoute(RestRoute.Kind.PREDICT, "!#a/b", null, "l:1"),
        RestRoute.parse("POST", "/v1/models/%21%23a%2Fb/labels/l%3A1:predict"));
    assertEquals("a+b%zz%", RestRoute.decode("a+b%zz%"));
    assertEquals("\u00e9", RestRoute.decode("%C3%A9"));
  }

  @Test
  void verbAndMetadataAreComparedExactlyAfterTheCaseInsensitiveMatch() {
    assertEquals(new RestRoute(RestRoute.Kind.STATUS, "m", null, null), RestRoute.parse("GET", "/V1/MODELS/m/METADATA"));
    assertEquals(new RestRoute(RestRoute.Kind.STATUS, "m?x=1", null, null), RestRoute.parse("GET", "/v1/models/m?x=1"));
  }
}
