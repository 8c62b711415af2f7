package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.tessera.proto.inference.GRPCInferenceServiceGrpc;
import io.tessera.proto.inference.ModelInferRequest;
import io.tessera.proto.inference.ModelRepositoryParameter;
import io.tessera.proto.inference.RepositoryIndexRequest;
import io.tessera.proto.inference.RepositoryModelLoadRequest;
import io.tessera.proto.inference.RepositoryModelUnloadRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model repository extension against a real server: index, unload and load (REST and gRPC)
 * of one model while TF Serving REST, v2 REST and v2 gRPC clients keep calling another, with not
 * one failed request; an unloaded model stays in the index, not READY, and {"ready": true}
 * filters it out; a load with a base_path parameter adds a model the config never had.
 */
class V2RepositoryIT {
  private static final String INFER = "{\"inputs\": [{\"name\": \"x\", \"shape\": [2], \"datatype\": \"FP32\","
      + " \"data\": [1, 2]}]}";

  @Test
  void loadAndUnloadUnderLoadDropNoRequest(@TempDir Path dir) throws Exception {
    Path config = Files.writeString(dir.resolve("models.config"), "model_config_list {\n"
        + "  config { name: \"half_plus_two\" base_path: \"" + TestServer.shared("testdata/saved_model_half_plus_two_cpu")
        + "\" model_platform: \"tensorflow\" }\n"
        + "  config { name: \"half_plus_three\" base_path: \"" + TestServer.shared("testdata/saved_model_half_plus_three")
        + "\" model_platform: \"tensorflow\" }\n}\n");
    try (TestServer server = TestServer.startPolling(Duration.ofMillis(200), "--model_config_file=" + config,
        "--enable_model_repository_control")) {
      V2Client rest = new V2Client(server.restBase());
      var grpc = GRPCInferenceServiceGrpc.newBlockingStub(server.channel());
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicInteger answered = new AtomicInteger();
      ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
      List<Thread> clients = new ArrayList<>();
      clients.add(client(running, answered, failures, () -> {
        HttpResponse<String> r = server.post("/v1/models/half_plus_two:predict", "{\"instances\": [1.0, 2.0]}");
        return r.statusCode() == 200 && r.body().contains("2.5") ? null : "v1 " + r.statusCode() + " " + r.body();
      }));
      clients.add(client(running, answered, failures, () -> {
        HttpResponse<String> r = rest.post("/v2/models/half_plus_two/infer", INFER);
        return r.statusCode() == 200 && r.body().contains("[2.5,3.0]") ? null : "v2 " + r.statusCode() + " " + r.body();
      }));
      clients.add(client(running, answered, failures, () -> {
        var r = grpc.modelInfer(ModelInferRequest.newBuilder().setModelName("half_plus_two")
            .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("x").setDatatype("FP32").addShape(1))
            .addRawInputContents(ByteString.copyFrom(V2Client.floats(3))).build());
        return r.getRawOutputContents(0).size() == 4 ? null : "gRPC " + r;
      }));
      clients.forEach(Thread::start);
      try {
        for (int round = 0; round < 3; round++) {
          HttpResponse<String> unloaded = rest.post("/v2/repository/models/half_plus_three/unload", "");
          assertEquals(200, unloaded.statusCode(), unloaded.body());
          JsonNode index = TestServer.json(rest.post("/v2/repository/index", "{}"));
          assertTrue(state(index, "half_plus_three").startsWith("UNAVAILABLE"), index.toString());
          assertEquals("READY", state(index, "half_plus_two"), index.toString());
          JsonNode ready = TestServer.json(rest.post("/v2/repository/index", "{\"ready\": true}"));
          assertEquals("", state(ready, "half_plus_three"), ready.toString());
          assertEquals(404, rest.post("/v2/models/half_plus_three/infer", INFER).statusCode());
          assertEquals(400, rest.get("/v2/models/half_plus_three/ready").statusCode());

          grpc.repositoryModelLoad(RepositoryModelLoadRequest.newBuilder().setModelName("half_plus_three").build());
          assertEquals("READY", state(TestServer.json(rest.post("/v2/repository/index", "")), "half_plus_three"));
          HttpResponse<String> three = rest.post("/v2/models/half_plus_three/infer", INFER);
          assertEquals(200, three.statusCode(), three.body());
          assertTrue(three.body().contains("[3.5,4.0]"), three.body());  // y = 0.5x + 3
          // loading a model that is loaded as asked changes nothing
          assertEquals(200, rest.post("/v2/repository/models/half_plus_two/load", "").statusCode());
        }
        grpc.repositoryModelUnload(RepositoryModelUnloadRequest.newBuilder().setModelName("half_plus_three").build());
        assertFalse(grpc.repositoryIndex(RepositoryIndexRequest.newBuilder().setReady(true).build()).getModelsList()
            .stream().anyMatch(m -> m.getName().equals("half_plus_three")));
      } finally {
        running.set(false);
        for (Thread t : clients) {
          t.join(30_000);
        }
      }
      assertEquals(List.of(), List.copyOf(failures));
      assertTrue(answered.get() > 30, "clients answered " + answered.get());

      // a model the config never had: unknown without a base path, loaded with one
      HttpResponse<String> unknown = rest.post("/v2/repository/models/copy/load", "");
      assertEquals(404, unknown.statusCode(), unknown.body());
      HttpResponse<String> copy = rest.post("/v2/repository/models/copy/load", "{\"parameters\": {\"base_path\": \""
          + TestServer.shared("testdata/saved_model_half_plus_two_cpu") + "\"}}");
      assertEquals(200, copy.statusCode(), copy.body());
      assertEquals(200, rest.post("/v2/models/copy/infer", INFER).statusCode());
      grpc.repositoryModelLoad(RepositoryModelLoadRequest.newBuilder().setModelName("half_plus_three")
          .putParameters("base_path", ModelRepositoryParameter.newBuilder()
              .setStringParam(TestServer.shared("testdata/saved_model_half_plus_three").toString()).build()).build());
      assertEquals(200, rest.post("/v2/models/half_plus_three/infer", INFER).statusCode());
      HttpResponse<String> missing = rest.post("/v2/repository/models/nope/unload", "");
      assertEquals(404, missing.statusCode(), missing.body());
    }
    TestServer.assertNoLeaks();
  }

  private interface Call {
    /** @return null when the answer is right, else what went wrong */
    String call() throws Exception;
  }

  private static Thread client(AtomicBoolean running, AtomicInteger answered, ConcurrentLinkedQueue<String> failures,
      Call call) {
    return new Thread(() -> {
      while (running.get()) {
        try {
          String problem = call.call();
          if (problem != null) {
            failures.add(problem);
          }
          answered.incrementAndGet();
        } catch (Exception e) {
          failures.add(e.toString());
        }
      }
    });
  }

  /** The state of a model's first index row, or "" when it is not listed. */
  private static String state(JsonNode index, String model) {
    for (JsonNode row : index) {
      if (row.get("name").asText().equals(model)) {
        return row.get("state").asText() + (row.path("reason").asText().isEmpty() ? "" : " " + row.get("reason").asText());
      }
    }
    return "";
  }
}
