package io.tessera.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** libevent 2.1.12's evhttp_uri_parse (strict), as net_http's ParsedEvRequest::decode uses it. */
class RequestTargetTest {
  @Test
  void keepsTheRawPathAndTfServingsUriPath() {
    assertEquals(new RequestTarget("/v1/models/m%2521", "/v1/models/m%2521"), RequestTarget.parse("/v1/models/m%2521"));
    assertEquals(new RequestTarget("/v1/models/m", "/v1/models/m?a=b/c?#f"), RequestTarget.parse("/v1/models/m?a=b/c?#f"));
    assertEquals(new RequestTarget("/v1/models/m:predict", "/v1/models/m:predict"),
        RequestTarget.parse("http://user@host:8501/v1/models/m:predict"));
    assertEquals(new RequestTarget("*", "*"), RequestTarget.parse("*"));
    assertEquals(new RequestTarget("/a", "/a"), RequestTarget.parse("//[::1]:80/a"));
    assertEquals(new RequestTarget("", ""), RequestTarget.parse("//host"));
  }

  @Test
  void refusesWhatLibeventRefuses() {
    for (String bad : new String[] {"/v1/models/%zz", "/v1/models/%", "/v1/models/%2", "/v1/models/a b",
        "/v1/models/a\rb", "/v1/models/a\nb", "/v1/models/a\u0001b", "/v1/models/a\u007fb", "/v1/models/\u00e9",
        "/v1/models/a\"b", "/v1/models/<x>", "/v1/models/a\\b", "/v1/models/{x}", "/v1/models/a|b",
        "/v1/models/a^b", "/v1/models/a`b", "/a#b#c", "/a?%zz", "//host:99999/a", "http://ho st/a", "1a:b"}) {
      assertNull(RequestTarget.parse(bad), bad);
    }
  }
}
