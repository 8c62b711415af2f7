package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The demo page in a real headless Chromium (Debian's chromium + chromium-driver, installed by
 * .ci/run) at /tessera/demo: upload a photo, see the right label with its score and the latency.
 * Not at /: TF Serving's model_servers/http_server.cc has nothing there (404), and neither has Tessera.
 */
class DemoPageBrowserIT {
  @Test
  void uploadAPhotoAndSeeItsLabel(@TempDir Path base) throws Exception {
    ImageModelFixture.create(base);
    try (TestServer server = TestServer.start("image_classifier", base)) {
      ChromeOptions options = new ChromeOptions();
      options.setBinary("/usr/bin/chromium");
      options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
          "--no-first-run", "--disable-background-networking", "--disable-component-update",
          "--disable-sync", "--disable-dev-shm-usage", "--user-data-dir=" + base.resolve("chrome-profile"));
      ChromeDriverService service = new ChromeDriverService.Builder()
          .usingDriverExecutable(new java.io.File("/usr/bin/chromedriver")).build();
      WebDriver browser = new ChromeDriver(service, options);
      try {
        browser.get(server.restBase() + "/tessera/demo");
        assertEquals("image_classifier", browser.findElement(By.id("model")).getAttribute("value"));
        browser.findElement(By.id("file")).sendKeys(TestServer.shared("images/coffee.jpg").toString());
        new WebDriverWait(browser, Duration.ofSeconds(60)).until(d -> {
          String state = d.findElement(By.tagName("body")).getAttribute("data-state");
          return "done".equals(state) || "error".equals(state);
        });
        assertEquals("done", browser.findElement(By.tagName("body")).getAttribute("data-state"),
            browser.findElement(By.id("status")).getText());
        String firstRow = browser.findElement(By.cssSelector("#results tbody tr")).getText();
        assertTrue(firstRow.contains("espresso"), "top-1 row: " + firstRow);
        assertTrue(browser.findElement(By.id("status")).getText().matches("(?s).*\\d+(\\.\\d+)? ?ms.*"),
            browser.findElement(By.id("status")).getText());
      } finally {
        browser.quit();
      }
    }
  }
}
