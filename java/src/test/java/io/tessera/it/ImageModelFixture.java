package io.tessera.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A model base path for shared/models/mobilenet_v2 with Tessera's image preprocessing: version 1
 * and labels.txt are symbolic links into ../shared (nothing copied), plus the operator's
 * tessera_image.json (x/127.5 - 1, whole-image bilinear resize, labels).
 */
final class ImageModelFixture {
  static final String CONFIG = "{\"value\": {\"scale\": 0.00784313725490196, \"offset\": -1}, "
      + "\"labels_file\": \"labels.txt\"}";

  private ImageModelFixture() {}

  static Path create(Path base) throws IOException {
    Path model = TestServer.shared("models/mobilenet_v2");
    Files.createSymbolicLink(base.resolve("1"), model.resolve("1"));
    Files.createSymbolicLink(base.resolve("labels.txt"), model.resolve("labels.txt"));
    Files.writeString(base.resolve("tessera_image.json"), CONFIG);
    return base;
  }
}
