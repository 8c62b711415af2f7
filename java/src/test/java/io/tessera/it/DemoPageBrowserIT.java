package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The demo page in a real headless Chromium (Debian's chromium + chromium-driver, installed by
 * .ci/run) at /tessera/demo, on a server with an image model and a model without image config:
 * the selector lists only the image model; two photos uploaded at once each get their right label,
 * top-5 rows and the upload / decode / inference split. Not at /: TF Serving's
 * model_servers/http_server.cc has nothing there (404), and neither has Tessera.
 */
class DemoPageBrowserIT {
  @Test
  void selectAModelUploadTwoPhotosAndSeeBothLabels(@TempDir Path dir) throws Exception {
    Path images = Files.createDirectory(dir.resolve("image_classifier"));
    ImageModelFixture.create(images);
    Path config = dir.resolve("models.config");
    Files.writeString(config, "model_config_list { config { name: \"image_classifier\" base_path: \"" + images
        + "\" model_platform: \"tensorflow\" } config { name: \"half_plus_two\" base_path: \""
        + TestServer.shared("testdata/saved_model_half_plus_two_cpu") + "\" model_platform: \"tensorflow\" } }");
    try (TestServer server = TestServer.startPolling(Duration.ofSeconds(30), "--model_config_file=" + config)) {
      OperationsIT.waitFor(() -> server.get("/readyz").statusCode() == 200);
      WebDriver browser = chromium(dir);
      try {
        browser.get(server.restBase() + "/tessera/demo");
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
        wait.until(d -> "ready".equals(d.findElement(By.tagName("body")).getAttribute("data-state")));
        Select model = new Select(browser.findElement(By.id("model")));
        assertEquals(List.of("image_classifier"), model.getOptions().stream().map(o -> o.getAttribute("value")).toList(),
            "only models with a tessera_image.json");
        model.selectByValue("image_classifier");
        browser.findElement(By.id("file")).sendKeys(TestServer.shared("images/coffee.jpg") + "\n"
            + TestServer.shared("images/parrot.jpg"));
        wait.until(d -> {
          String state = d.findElement(By.tagName("body")).getAttribute("data-state");
          return "done".equals(state) || "error".equals(state);
        });
        assertEquals("done", browser.findElement(By.tagName("body")).getAttribute("data-state"),
            browser.findElement(By.id("status")).getText());
        assertTopLabel(browser, "coffee.jpg", "espresso");
        assertTopLabel(browser, "parrot.jpg", "macaw");
      } finally {
        browser.quit();
      }
    }
  }

  private static void assertTopLabel(WebDriver browser, String file, String label) {
    WebElement card = browser.findElement(By.cssSelector(".result[data-file='" + file + "']"));
    assertEquals("done", card.getAttribute("data-state"), card.getText());
    List<WebElement> rows = card.findElements(By.cssSelector("tr"));
    assertEquals(5, rows.size(), card.getText());
    assertTrue(rows.get(0).getText().contains(label), file + ": " + rows.get(0).getText());
    String timing = card.findElement(By.className("timing")).getText();
    assertTrue(timing.matches("upload \\d+ ms · decode \\d+\\.\\d ms · inference \\d+\\.\\d ms · \\d+ ms in all"), timing);
  }

  private static WebDriver chromium(Path dir) {
    ChromeOptions options = new ChromeOptions();
    options.setBinary("/usr/bin/chromium");
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + dir.resolve("chrome-profile"));
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new java.io.File("/usr/bin/chromedriver")).build();
    return new ChromeDriver(service, options);
  }
}
