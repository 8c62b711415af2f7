package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Chinese TF Serving deployment guide's steps, as printed, work on Tessera: its JSON model
 * config whose base paths point at version directories (TF Serving waits forever there), its
 * image_bytes request, with labels from the model's image config.
 */
class DeploymentGuideIT {
  @Test
  void guidesJsonConfigWithMisplacedBasePathsAndImageBytesRequest(@TempDir Path models) throws Exception {
    // /models/image_classifier/{1,2}: two SavedModel version dirs (links into ../shared), the image
    // preprocessing config and labels beside them, as an operator lays them out.
    Path classifier = Files.createDirectories(models.resolve("image_classifier"));
    Path mobilenet = TestServer.shared("models/mobilenet_v2");
    Files.createSymbolicLink(classifier.resolve("1"), mobilenet.resolve("1"));
    Files.createSymbolicLink(classifier.resolve("2"), mobilenet.resolve("1"));
    Files.createSymbolicLink(classifier.resolve("labels.txt"), mobilenet.resolve("labels.txt"));
    Files.writeString(classifier.resolve("tessera_image.json"), ImageModelFixture.CONFIG);
    // The guide's config file, verbatim apart from the absolute paths.
    Path config = Files.writeString(models.resolve("config.conf"), """
        {
        "model_config_list": {
        "config": [
        {
        "name": "image_classifier_v1",
        "base_path": "%s",
        "model_platform": "tensorflow"
        },
        {
        "name": "image_classifier_v2",
        "base_path": "%s",
        "model_platform": "tensorflow"
        }
        ]
        }
        }
        """.formatted(classifier.resolve("1"), classifier.resolve("2")));

    ImageApiIT.loadExpected();
    try (LogCapture log = new LogCapture();
        TestServer server = TestServer.startPolling(java.time.Duration.ofSeconds(1),
            "--model_config_file=" + config, "--enable_model_warmup=true")) {
      assertEquals(2, log.count("is itself a SavedModel, not a directory of numbered versions"), log.toString());
      assertEquals(TestServer.JSON.readTree("{\"model_version_status\": [{\"version\": \"2\", \"state\": \"AVAILABLE\", "
          + "\"status\": {\"error_code\": \"OK\", \"error_message\": \"\"}}]}"),
          TestServer.json(server.get("/v1/models/image_classifier_v2")));
      for (String photo : List.of("grace_hopper.jpg", "chelsea_cat.jpg", "coffee.jpg", "parrot.jpg", "hot_dog.jpg", "dragonfly.jpg")) {
        HttpResponse<String> r = server.post("/v1/models/image_classifier_v1:predict",
            "{\"instances\": [{\"image_bytes\": {\"b64\": \"" + ImageApiIT.b64(photo) + "\"}}], \"top_k\": 1}");
        assertEquals(200, r.statusCode(), r.body());
        ImageApiIT.assertTop1(photo, TestServer.json(r).get("top_k").get(0).get(0).get("index").asInt());
      }
    }
  }
}
