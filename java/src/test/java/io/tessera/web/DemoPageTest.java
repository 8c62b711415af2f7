package io.tessera.web;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The demo page ships in the jar and is self-contained (no external scripts, styles, fonts or
 * images: it must work offline). Its behaviour in a browser is tested where the server serves it.
 */
class DemoPageTest {
  private static final Pattern EXTERNAL = Pattern.compile(
      "(?i)(src|href|action)\\s*=\\s*[\"']?\\s*(https?:)?//|@import|url\\(\\s*[\"']?(https?:)?//");

  @Test
  void pageIsOnTheClasspathAndSelfContained() throws Exception {
    String html;
    try (InputStream in = DemoPageTest.class.getResourceAsStream("/io/tessera/web/index.html")) {
      assertNotNull(in, "io/tessera/web/index.html on the classpath");
      html = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertFalse(EXTERNAL.matcher(html).find(), "the page references an external asset");
    assertFalse(html.contains("<script src"), "scripts are inline");
    assertFalse(html.contains("<link"), "styles are inline");
    assertTrue(html.contains("\"/v1/models/\" + encodeURIComponent(model) + \":predict?top_k=\""));
    assertTrue(html.contains("fetch(\"/tessera/image_models\")"));
  }
}
