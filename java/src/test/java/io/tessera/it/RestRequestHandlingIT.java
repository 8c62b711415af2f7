package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * REST request handling as TF Serving's does it, against the real server over raw sockets
 * ({@link RawHttp}), one test per rule; each cites the TF Serving (2.20, 9d981c5c2708) or library
 * source the expected status and message come from. The differences that remain on purpose are in
 * FIDELITY-NOTES-f15rest.md (folded into README's API-compatibility section).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RestRequestHandlingIT {
  private static final String HALF_PLUS_TWO = "testdata/saved_model_half_plus_two_cpu";
  private static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start("default", TestServer.shared(HALF_PLUS_TWO));
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    TestServer.assertNoLeaks();
  }

  /**
   * model_servers/http_rest_api_handler.cc ProcessPredict/Classify/RegressRequest and
   * util/json_tensor.cc FillPredictRequestFromJson: ParseJson (empty body, syntax, root not an
   * object) and FillSignature run before GetServableHandle, for a missing model, version or label.
   */
  @Test
  void theBodyIsParsedBeforeTheModelIsLookedUp() throws Exception {
    for (String target : new String[] {"/v1/models/missing", "/v1/models/default/versions/9",
        "/v1/models/default/labels/nope"}) {
      for (String verb : new String[] {":predict", ":classify", ":regress"}) {
        assertError(post(target + verb, "{\"instances\": [1.0,]}"), 400, "JSON Parse error: ");
        assertError(post(target + verb, ""), 400, "JSON Parse error: The document is empty");
      }
      assertError(post(target + ":predict", "[1.0]"), 400, "Is not object");
      assertError(post(target + ":predict", "{\"signature_name\": 7, \"instances\": [1.0]}"), 400,
          "'signature_name' key must be a string value.");
    }
    // A body that parses: the lookup's own error (server_core.cc GetServableHandle's wording).
    assertError(post("/v1/models/missing:predict", "{\"instances\": [1.0]}"), 404,
        "Servable not found for request: Latest(missing)");
    assertError(post("/v1/models/default/versions/9:regress", "{\"examples\": [{\"x\": 1.0}]}"), 404,
        "Servable not found for request: Specific(default, 9)");
  }

  /**
   * model_servers/http_rest_api_util.cc ParseModelInfo: the route regexes run over the raw
   * uri_path (net_http/server/internal/evhttp_request.cc: path + "?" + query, never decoded by the
   * server), then DecodeArg (curl_easy_unescape) decodes the name and the label once.
   */
  @Test
  void namesAndLabelsArePercentDecodedOnceAfterTheMatch() throws Exception {
    assertError(get("/v1/models/%21%23x"), 404, "Could not find any versions of model !#x");
    assertError(get("/v1/models/%2521"), 404, "Could not find any versions of model %21");
    assertError(post("/v1/models/%21%23:predict", "{\"instances\": [1.0]}"), 404,
        "Servable not found for request: Latest(!#)");
    assertError(get("/v1/models/a%2Fversions%2F1"), 404, "Could not find any versions of model a/versions/1");
    assertError(get("/v1/models/a+b"), 404, "Could not find any versions of model a+b");
    // An encoded LF is decoded only after the /v1/ dispatch: a JSON NOT_FOUND, not the 404 page.
    assertError(get("/v1/models/a%0Ab"), 404, "Could not find any versions of model a\nb");
    assertEquals("[2.5]", json(post("/v1/models/%64efault:predict", "{\"instances\": [1.0]}"))
        .get("predictions").toString());
    assertError(post("/v1/models/default/labels/%21x:predict", "{\"instances\": [1.0]}"), 400,
        "Unrecognized servable version label: !x");
    // The query is part of the uri_path: of the name on GET, a spoiled match on POST.
    assertError(get("/v1/models/default?x=1"), 404, "Could not find any versions of model default?x=1");
    assertError(post("/v1/models/default:predict?x=1", "{\"instances\": [1.0]}"), 400,
        "Malformed request: POST /v1/models/default:predict?x=1");
    // (?i) regexes, but the verb and "metadata" compared exactly (ProcessRequest, ParseModelInfo).
    assertError(post("/v1/models/default:PREDICT", "{\"instances\": [1.0]}"), 400,
        "Malformed request: POST /v1/models/default:PREDICT");
    RawHttp.Response status = get("/V1/MODELS/default/METADATA");
    assertEquals(200, status.status(), status.body());
    assertTrue(json(status).has("model_version_status"), status.body());
  }

  /**
   * net_http/server/internal/evhttp_server.cc DispatchEvRequest: a target libevent 2.1.12's strict
   * evhttp_uri_parse refuses (bad %-escape, space, control or non-ASCII byte) is 400 Bad Request
   * on any path; evhttp_server.cc's allowed methods: any other method is 501. TF Serving's body is
   * libevent's HTML page, ours the JSON error. Netty splits the request line at CR/HT/VT/FF and ends
   * it at LF, and answers what it cannot parse as "Malformed HTTP request" (then closes).
   */
  @Test
  void malformedTargetsAndControlCharactersGetJsonErrors() throws Exception {
    String[] targets = {"/v1/models/%zz", "/v1/models/a%", "/v1/models/a%2", "/v1/models/a\u0001b",
        "/v1/models/a\u0000b", "/v1/models/a\u007fb", "/v1/models/a\u001bb", "/v1/models/\u00c3\u00a9",
        "/v1/models/a\"b", "/v1/models/a<b>", "/v1/models/a{b}", "/v1/models/a|b", "/v1/models/a\\b",
        "/v1/models/default#a#b", "/v1/models/default?%zz", "/other/%zz", "/v1/models/a\rb", "/v1/models/a\nb",
        "/v1/models/a\tb", "/v1/models/a\u000bb", "/v1/models/a\u000cb", "/v1/models/a b"};
    for (String target : targets) {
      byte[] line = ("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
      RawHttp.Response r = exchange(line);
      String what = "GET " + target.replace("\r", "\\r").replace("\n", "\\n");
      assertEquals(400, r.status(), what + ": " + r.body());
      assertJsonError(r, what);
      assertTrue(r.body().contains("Malformed"), what + ": " + r.body());
    }
    for (String method : new String[] {"TRACE", "FOO", "post"}) {
      RawHttp.Response r = exchange((method + " /v1/models/default HTTP/1.1\r\nHost: x\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      assertEquals(501, r.status(), method + ": " + r.body());
      assertJsonError(r, method);
    }
    // The connection answers the next request after a malformed target (no drop).
    try (RawHttp c = RawHttp.connect(server.server().restPort(), 10_000)) {
      c.send(RawHttp.get("/v1/models/%zz")).send(RawHttp.get("/v1/models/default"));
      assertEquals(400, c.read().status());
      assertEquals(200, c.read().status());
    }
  }

  /**
   * model_servers/http_server.cc RestApiRequestDispatcher::ProcessRequest: OPTIONS on any /v1/ path
   * is answered there, with or without --rest_api_enable_cors_support: OK when the Origin header
   * partially matches "https?://", else FAILED_PRECONDITION "Origin header is missing in CORS
   * preflight" (400); the CORS headers (http_rest_api_util.cc AddCORSHeaders) only with the flag.
   */
  @Test
  void optionsIsTheCorsPreflightWithAndWithoutTheFlag() throws Exception {
    assertPreflight(server, false);
    try (TestServer cors = TestServer.start("default", TestServer.shared(HALF_PLUS_TWO),
        "--rest_api_enable_cors_support")) {
      assertPreflight(cors, true);
    }
  }

  private static void assertPreflight(TestServer s, boolean cors) throws IOException {
    for (String origin : new String[] {"http://a.example", "https://b.example:8443", "app://x, https://y"}) {
      RawHttp.Response ok = options(s, "/v1/models/default:predict", origin);
      assertEquals(200, ok.status(), origin);
      assertEquals("", ok.body());
      assertCorsHeaders(ok, cors);
    }
    for (String origin : new String[] {null, "null", "file://x", "HTTP://upper"}) {
      RawHttp.Response refused = options(s, "/v1/models/anything/versions/3", origin);
      assertEquals(400, refused.status(), String.valueOf(origin));
      assertJsonError(refused, "OPTIONS with Origin " + origin);
      assertTrue(refused.body().contains("Origin header is missing in CORS preflight"), refused.body());
      assertCorsHeaders(refused, cors);
    }
    // Outside /v1/ the dispatcher does not match: not found.
    assertEquals(404, options(s, "/elsewhere", "http://a.example").status());
  }

  /**
   * Nesting beyond TF's maximum rank (254, tensorflow/core/framework/tensor_shape.h MaxDimensions)
   * is INVALID_ARGUMENT (400) wherever it is: util/json_tensor.cc parses with kParseIterativeFlag
   * (no depth limit of its own), so nesting in a member it ignores is no error at all, and Jackson's
   * default nesting limit (1000) must not show through.
   */
  @Test
  void nestingBeyondTheMaximumRankIsInvalidArgument() throws Exception {
    assertEquals(200, post("/v1/models/default:predict", "{\"instances\": " + nested(254, "1.0") + "}").status());
    for (int depth : new int[] {255, 1001, 100_000}) {
      String list = nested(depth, "1.0");
      String objects = "{\"x\": ".repeat(depth) + "1.0" + "}".repeat(depth);
      for (String body : new String[] {"{\"instances\": " + list + "}", "{\"inputs\": " + list + "}",
          "{\"inputs\": {\"x\": " + list + "}}", "{\"instances\": [{\"x\": " + list + "}]}",
          "{\"instances\": [" + objects + "]}", "{\"inputs\": " + objects + "}"}) {
        RawHttp.Response r = post("/v1/models/default:predict", body);
        assertEquals(400, r.status(), depth + " deep: " + abbreviate(r.body()));
        assertJsonError(r, depth + " deep predict");
      }
      for (String body : new String[] {"{\"examples\": [{\"x\": " + list + "}]}",
          "{\"examples\": [" + objects + "]}", "{\"context\": " + objects + ", \"examples\": [{\"x\": 1.0}]}"}) {
        RawHttp.Response r = post("/v1/models/default:regress", body);
        assertEquals(400, r.status(), depth + " deep: " + abbreviate(r.body()));
        assertTrue(r.body().contains("Feature: x"), abbreviate(r.body()));
      }
      String ignored = "\"ignored\": " + nested(depth, "") + ", ";
      assertEquals(200, post("/v1/models/default:predict", "{" + ignored + "\"instances\": [1.0]}").status());
      assertEquals(200, post("/v1/models/default:regress",
          "{" + ignored + "\"signature_name\": \"regress_x_to_y\", \"examples\": [{\"x\": 1.0}]}").status());
    }
  }

  /**
   * util/json_tensor.cc ParseJson: rapidjson 1.1.0 with kParseNanAndInfFlag (reader.h ParseNumber)
   * reads NaN, Inf, Infinity, -Inf, -Infinity (and -NaN as NaN), nothing else; WriteDecimal writes
   * non-finite outputs as NaN, Infinity, -Infinity (MakeJsonFromTensors, ...RegressionResult).
   */
  @Test
  void nonFiniteNumbersAreReadAndWrittenAsRapidjsonDoes() throws Exception {
    // half_plus_two: y = x / 2 + 2
    assertEquals("{\n    \"predictions\": [NaN, Infinity, -Infinity, Infinity, -Infinity, NaN\n    ]\n}",
        post("/v1/models/default:predict", "{\"instances\": [NaN, Inf, -Inf, Infinity, -Infinity, -NaN]}").body());
    // (columnar answers use PrettyWriter's default format: one value a line)
    assertEquals("{\n    \"outputs\": [\n        Infinity,\n        -Infinity\n    ]\n}",
        post("/v1/models/default:predict", "{\"inputs\": [Inf, -Inf]}").body());
    assertEquals("{\n    \"results\": [Infinity, -Infinity, NaN]\n}", post("/v1/models/default:regress",
        "{\"signature_name\": \"regress_x_to_y\", \"examples\": [{\"x\": Inf}, {\"x\": -Inf}, {\"x\": NaN}]}").body());
    // rapidjson: kParseErrorValueInvalid, at the offset where the spelling goes wrong.
    String[][] refused = {{"+Infinity", "15"}, {"+INF", "15"}, {"-INF", "17"}, {"INF", "16"}, {"Infin", "20"},
        {"-Infinite", "23"}, {"-Nan", "18"}, {"+1.0", "15"}, {"inf", null}, {"nan", null}};
    for (String[] spelling : refused) {
      RawHttp.Response r = post("/v1/models/default:predict", "{\"instances\": [" + spelling[0] + "]}");
      assertEquals(400, r.status(), spelling[0] + ": " + r.body());
      assertTrue(r.body().contains("JSON Parse error: Invalid value."), spelling[0] + ": " + r.body());
      if (spelling[1] != null) {
        assertTrue(r.body().contains("at offset: " + spelling[1]), spelling[0] + ": " + r.body());
      }
    }
  }

  // ---- helpers ----

  private static String nested(int depth, String leaf) {
    return "[".repeat(depth) + leaf + "]".repeat(depth);
  }

  private static RawHttp.Response get(String target) throws IOException {
    return exchange(RawHttp.get(target));
  }

  private static RawHttp.Response post(String target, String body) throws IOException {
    return exchange(RawHttp.post(target, body));
  }

  private static RawHttp.Response options(TestServer s, String target, String origin) throws IOException {
    String request = "OPTIONS " + target + " HTTP/1.1\r\nHost: x\r\n"
        + (origin == null ? "" : "Origin: " + origin + "\r\n")
        + "Access-Control-Request-Method: POST\r\n\r\n";
    try (RawHttp c = RawHttp.connect(s.server().restPort(), 20_000)) {
      return c.send(request.getBytes(StandardCharsets.US_ASCII)).read();
    }
  }

  /** One request on a fresh connection; the response must come (a drop fails the test). */
  private static RawHttp.Response exchange(byte[] request) throws IOException {
    try (RawHttp c = RawHttp.connect(server.server().restPort(), 60_000)) {
      return c.send(request).read();
    }
  }

  private static JsonNode json(RawHttp.Response r) throws IOException {
    return TestServer.JSON.readTree(r.body());
  }

  private static void assertError(RawHttp.Response r, int status, String fragment) throws IOException {
    assertEquals(status, r.status(), r.body());
    assertJsonError(r, fragment);
    assertTrue(json(r).get("error").asText().contains(fragment), "expected \"" + fragment + "\" in " + r.body());
  }

  private static void assertJsonError(RawHttp.Response r, String what) throws IOException {
    assertTrue(header(r, "content-type").startsWith("application/json"), what + ": " + r.headers());
    JsonNode body = json(r);
    assertTrue(body.isObject() && body.get("error").isTextual(), what + ": " + abbreviate(r.body()));
  }

  private static void assertCorsHeaders(RawHttp.Response r, boolean cors) {
    if (cors) {
      assertEquals("*", header(r, "access-control-allow-origin"), r.headers());
      assertEquals("POST, GET", header(r, "access-control-allow-methods"), r.headers());
      assertEquals("Content-Type", header(r, "access-control-allow-headers"), r.headers());
    } else {
      assertFalse(r.headers().toLowerCase(Locale.ROOT).contains("access-control-"), r.headers());
    }
  }

  private static String header(RawHttp.Response r, String name) {
    for (String line : r.headers().split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
        return line.substring(colon + 1).trim();
      }
    }
    return "";
  }

  private static String abbreviate(String s) {
    return s.length() <= 300 ? s : s.substring(0, 300) + "...";
  }
}
