package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/kubernetes/*.yaml validated against the Kubernetes API schemas without a cluster:
 * deploy/validation/validate.mjs (kubernetes-models' validators from Kubernetes' OpenAPI spec, plus
 * a strict unknown-field walk), installed with {@code npm ci} from the checked-in lock file on
 * first use. A broken manifest is checked to fail, so the validator is known to look.
 */
class DeploymentManifestsIT {
  private static final Path REPO = Path.of(System.getProperty("tessera.repo.dir", "..")).toAbsolutePath().normalize();
  private static final Path VALIDATION = REPO.resolve("deploy/validation");

  record Run(int exit, String output) {}

  @BeforeAll
  static void installValidator() throws Exception {
    if (!Files.isDirectory(VALIDATION.resolve("node_modules/kubernetes-models"))) {
      Run install = run(List.of("npm", "ci", "--no-audit", "--no-fund"), 300);
      assertEquals(0, install.exit(), "npm ci in deploy/validation: " + install.output());
    }
  }

  @Test
  void everyShippedManifestMatchesTheKubernetesSchemas() throws Exception {
    List<String> files = new ArrayList<>();
    try (Stream<Path> manifests = Files.list(REPO.resolve("deploy/kubernetes"))) {
      manifests.filter(p -> p.toString().endsWith(".yaml")).sorted().forEach(p -> files.add(p.toString()));
    }
    assertTrue(!files.isEmpty(), "no manifests found");
    Run check = validate(files);
    System.out.println("DeploymentManifestsIT:\n" + check.output());
    assertEquals(0, check.exit(), check.output());
    for (String kind : List.of("apps/v1 Deployment", "v1 Service tessera-grpc", "autoscaling/v2 HorizontalPodAutoscaler",
        "policy/v1 PodDisruptionBudget")) {
      assertTrue(check.output().contains("valid " + REPO.resolve("deploy/kubernetes/tessera.yaml")) && check.output()
          .contains(kind), kind + " checked: " + check.output());
    }
  }

  @Test
  void typosWrongTypesAndUnknownKindsAreCaught(@TempDir Path dir) throws Exception {
    Path broken = Files.writeString(dir.resolve("broken.yaml"), String.join("\n",
        "apiVersion: apps/v1", "kind: Deployment", "metadata: {name: x}", "spec:", "  replicas: two",
        "  selector: {matchLabels: {a: b}}", "  template:", "    metadata: {labels: {a: b}}", "    spec:",
        "      containers:", "        - name: c", "          image: i",
        "          securityContext: {readOnlyRootFilesystm: true}", "---",
        "apiVersion: example.com/v1", "kind: Widget", "metadata: {name: y}", ""));
    Run check = validate(List.of(broken.toString()));
    assertEquals(1, check.exit(), check.output());
    assertTrue(check.output().contains("data/spec/replicas must be integer"), check.output());
    Run typo = validate(List.of(Files.writeString(dir.resolve("typo.yaml"),
        Files.readString(broken).replace("replicas: two", "replicas: 2")).toString()));
    assertTrue(typo.output().contains("containers[0].securityContext.readOnlyRootFilesystm"), typo.output());
    assertTrue(check.output().contains("no Kubernetes schema for apiVersion example.com/v1, kind Widget"), check.output());
  }

  private static Run validate(List<String> files) throws Exception {
    List<String> command = new ArrayList<>(List.of("node", "validate.mjs"));
    command.addAll(files);
    return run(command, 60);
  }

  private static Run run(List<String> command, int seconds) throws IOException, InterruptedException {
    Path log = Files.createTempFile("tessera-validate", ".log");
    try {
      Process p = new ProcessBuilder(command).directory(VALIDATION.toFile()).redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
      if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError(command + " did not finish in " + seconds + " s: " + Files.readString(log));
      }
      return new Run(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(log);
    }
  }
}
