package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tessera.cli.DemoModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every query of deploy/monitoring/grafana-dashboard.json (panels and variables) and the
 * prometheus-adapter rule name only metrics, and label names, that a real server exports: an image
 * model with batching, after image, tensor and failing requests. Labels Prometheus adds while
 * scraping pods (deploy/monitoring/prometheus.yml: namespace, pod, node) are the only others allowed.
 */
class DashboardMetricsIT {
  private static final Path REPO = Path.of(System.getProperty("tessera.repo.dir", "..")).toAbsolutePath().normalize();
  private static final Set<String> SCRAPE_LABELS = Set.of("namespace", "pod", "node");
  private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left",
      "group_right", "and", "or", "unless", "bool", "offset");
  private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*(\\{([^}]*)\\})?(\\s*\\()?");
  private static final Pattern GROUPING = Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)\\})?\\s*,\\s*(\\w+)\\)");
  private static final Pattern MATCHER_LABEL = Pattern.compile("(\\w+)\\s*(=~|!~|!=|=)");
  private static final Pattern SERIES = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})? ");
  private static final Pattern SERIES_LABEL = Pattern.compile("(\\w+)=\"(?:[^\"\\\\]|\\\\.)*\"");

  @Test
  void everyDashboardQueryNamesMetricsAndLabelsTheServerExports(@TempDir Path dir) throws Exception {
    Path base = dir.resolve("colors");
    DemoModel.write(base, 1);
    Files.writeString(base.resolve("labels.txt"), String.join("\n", DemoModel.LABELS) + "\n");
    Files.writeString(base.resolve("tessera_image.json"), "{\"height\": 64, \"width\": 64, \"labels_file\": \"labels.txt\"}");
    Map<String, Set<String>> exported;
    try (TestServer server = TestServer.start("colors", base, "--enable_batching",
        "--monitoring_config_file=" + TestServer.shared("testdata/monitoring_config.txt"))) {
      String jpeg = Base64.getEncoder().encodeToString(Files.readAllBytes(TestServer.shared("images/coffee.jpg")));
      assertEquals(200, server.post("/v1/models/colors:predict",
          "{\"instances\": [{\"b64\": \"" + jpeg + "\"}]}").statusCode());
      assertEquals(400, server.post("/v1/models/colors:predict", "{\"instances\": [{\"b64\": \"AAAA\"}]}").statusCode());
      assertEquals(200, server.post("/v1/models/colors:predict", "{\"instances\": [[[[250, 10, 10]]]]}").statusCode());
      exported = exportedSeries(server.get("/monitoring/prometheus/metrics").body());
    }

    JsonNode dashboard = TestServer.JSON.readTree(REPO.resolve("deploy/monitoring/grafana-dashboard.json").toFile());
    List<String> problems = new ArrayList<>();
    int queries = 0;
    List<JsonNode> panels = new ArrayList<>();
    for (JsonNode panel : dashboard.get("panels")) {
      panels.add(panel);
      if (panel.has("panels")) {  // a collapsed row keeps its panels inside it
        panel.get("panels").forEach(panels::add);
      }
    }
    for (JsonNode panel : panels) {
      if (!panel.has("targets")) {
        assertEquals("row", panel.get("type").asText(), "a panel without queries: " + panel.get("title"));
        continue;
      }
      for (JsonNode target : panel.get("targets")) {
        problems.addAll(check(target.get("expr").asText(), exported, panel.get("title").asText()));
        queries++;
      }
    }
    for (JsonNode variable : dashboard.get("templating").get("list")) {
      if (variable.has("definition")) {
        problems.addAll(check(variable.get("definition").asText(), exported, "variable " + variable.get("name").asText()));
        queries++;
      }
    }
    String rules = Files.readString(REPO.resolve("deploy/monitoring/prometheus-adapter-rules.yaml"));
    Matcher seriesQuery = Pattern.compile("seriesQuery: '([^']+)'").matcher(rules);
    assertTrue(seriesQuery.find(), rules);
    problems.addAll(check(seriesQuery.group(1), exported, "prometheus-adapter rule"));
    String scrape = Files.readString(REPO.resolve("deploy/monitoring/prometheus.yml"));
    for (String label : SCRAPE_LABELS) {
      assertTrue(scrape.contains("target_label: " + label), "prometheus.yml adds the " + label + " label");
    }
    assertTrue(queries >= 15, "queries read: " + queries);
    assertTrue(problems.isEmpty(), String.join("\n", problems) + "\nexported: " + exported.keySet());
  }

  /** Problems of one PromQL query: metric names not exported, label names those metrics lack. */
  private static List<String> check(String query, Map<String, Set<String>> exported, String where) {
    List<String> problems = new ArrayList<>();
    Map<String, String> selectors = new HashMap<>();
    Matcher values = LABEL_VALUES.matcher(query);
    if (values.find()) {
      selectors.put(values.group(1), values.group(3) == null ? "" : values.group(3));
      String label = values.group(4);
      if (!SCRAPE_LABELS.contains(label) && !exported.getOrDefault(values.group(1), Set.of()).contains(label)) {
        problems.add(where + ": " + values.group(1) + " has no label " + label);
      }
    } else {
      Matcher m = SELECTOR.matcher(GROUPING.matcher(query.replaceAll("\\[[^\\]]*\\]", "")).replaceAll(" "));
      while (m.find()) {
        if (m.group(4) == null && !KEYWORDS.contains(m.group(1))) {  // not a function call or keyword
          selectors.put(m.group(1), m.group(3) == null ? "" : m.group(3));
        }
      }
    }
    for (Map.Entry<String, String> selector : selectors.entrySet()) {
      Set<String> labels = exported.get(selector.getKey());
      if (labels == null) {
        problems.add(where + ": metric " + selector.getKey() + " is not exported");
        continue;
      }
      Matcher label = MATCHER_LABEL.matcher(selector.getValue());
      while (label.find()) {
        if (!SCRAPE_LABELS.contains(label.group(1)) && !labels.contains(label.group(1))) {
          problems.add(where + ": " + selector.getKey() + " has no label " + label.group(1) + " " + labels);
        }
      }
    }
    assertTrue(!selectors.isEmpty(), where + ": no metric found in " + query);
    return problems;
  }

  /** Series name -> label names, from the Prometheus text page. */
  private static Map<String, Set<String>> exportedSeries(String page) {
    Map<String, Set<String>> series = new HashMap<>();
    for (String line : page.split("\n")) {
      Matcher m = SERIES.matcher(line);
      if (!line.startsWith("#") && m.find()) {
        Set<String> labels = series.computeIfAbsent(m.group(1), k -> new TreeSet<>());
        if (m.group(3) != null) {
          Matcher label = SERIES_LABEL.matcher(m.group(3));
          while (label.find()) {
            labels.add(label.group(1));
          }
        }
      }
    }
    return series;
  }
}
