package io.tessera.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The bounded probe agrees with the full image parse on the shapes the REST API accepts. */
class ImageJsonRequestTest {
  private static final ImageConfig CONFIG = ImageTestSupport.rawConfig(4, 4);

  @Test
  void imageBodiesAreRecognisedFromTheirFirstElement() {
    for (String body : new String[] {
        "{\"instances\": [{\"b64\": \"AAAA\"}]}",
        "{\"signature_name\": \"serving_default\", \"instances\": [{\"image_bytes\": {\"b64\": \"AAAA\"}}]}",
        "{\"top_k\": 3, \"inputs\": {\"images\": [{\"b64\": \"AAAA\"}]}}",
        "{\"inputs\": [{\"b64\": \"AAAA\"}, {\"b64\": \"AAAA\"}]}"}) {
      assertTrue(ImageJsonRequest.startsLikeImages(buffer(body), CONFIG), body);
      ImageJsonRequest parsed = ImageJsonRequest.parse(buffer(body), CONFIG);
      assertNotNull(parsed, body);
      assertFalse(parsed.images().isEmpty(), body);
    }
  }

  @Test
  void otherBodiesAreLeftToTheOrdinaryPathWithoutReadingTheirData() {
    for (String body : new String[] {
        "{\"instances\": [[[[0.5, 0.5, 0.5]]]]}",
        "{\"inputs\": {\"x\": [1.0]}}",
        "{\"instances\": [{\"x\": 1.0}]}",
        "[1, 2]",
        "{\"instances\": [1.0,]}",
        ""}) {
      assertFalse(ImageJsonRequest.startsLikeImages(buffer(body), CONFIG), body);
    }
    // Starts like images but is not one after all: parse says so, the caller falls back.
    String mixed = "{\"instances\": [{\"b64\": \"AAAA\"}, 1.0]}";
    assertTrue(ImageJsonRequest.startsLikeImages(buffer(mixed), CONFIG));
    assertNull(ImageJsonRequest.parse(buffer(mixed), CONFIG));
    assertEquals(1, ImageJsonRequest.parse(buffer("{\"instances\": [{\"b64\": \"AAAA\"}]}"), CONFIG).images().size());
  }

  private static ByteBuffer buffer(String text) {
    return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
  }
}
