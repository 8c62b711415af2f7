package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.framework.DataType;
import org.tensorflow.framework.TensorProto;
import org.tensorflow.framework.TensorShapeProto;
import tensorflow.serving.Model.ModelSpec;
import tensorflow.serving.Predict.PredictRequest;
import tensorflow.serving.Predict.PredictResponse;
import tensorflow.serving.PredictionServiceGrpc;

/**
 * Hot swap under load: version directories appear and disappear while client threads (REST and
 * gRPC) send requests without pause. Not one request may fail, and after every change the newest
 * version on disk, and only it, is AVAILABLE.
 */
class HotSwapIT {
  private static final int TRANSITIONS = 24;

  @Test
  void versionsComeAndGoUnderLoadWithoutAFailedRequest(@TempDir Path base) throws Exception {
    ModelDirs.addVersion(ModelDirs.HALF_PLUS_TWO, base, 1);
    try (TestServer server = TestServer.startPolling(Duration.ofMillis(100),
        "--model_name=hpt", "--model_base_path=" + base)) {
      LoadClients clients = new LoadClients(4, i -> i % 2 == 1 ? () -> grpcPredict(server) : () -> restPredict(server));
      // Add, add, remove: the newest version on disk moves up twice and back once per round.
      long newest = 1;
      List<Long> served = new ArrayList<>();
      for (int t = 0; t < TRANSITIONS; t++) {
        if (t % 3 == 2) {
          ModelDirs.removeVersion(base, newest);
          newest--;
        } else {
          newest++;
          ModelDirs.addVersion(ModelDirs.HALF_PLUS_TWO, base, newest);
        }
        Map<Long, String> states = ModelDirs.await(server, "hpt", 60, ModelDirs.availableExactly(newest));
        served.add(newest);
        assertTrue(states.containsKey(newest), states.toString());
      }
      clients.close();
      assertEquals(List.of(), clients.failures(), "failed requests during hot swaps");
      assertTrue(clients.ok() > 100, "too few requests were sent: " + clients.ok());
      assertEquals(1 + TRANSITIONS / 3, newest);
      System.out.println("HotSwapIT: " + clients.ok() + " requests, 0 failed, " + TRANSITIONS
          + " transitions, served versions " + served);
    }
    TestServer.assertNoLeaks();
  }

  static String restPredict(TestServer server) throws Exception {
    HttpResponse<String> r = server.post("/v1/models/hpt:predict", "{\"instances\": [1.0, 2.0]}");
    if (r.statusCode() != 200 || !TestServer.json(r).equals(TestServer.JSON.readTree("{\"predictions\": [2.5, 3.0]}"))) {
      return "REST " + r.statusCode() + " " + r.body();
    }
    return null;
  }

  static String grpcPredict(TestServer server) {
    PredictResponse r = PredictionServiceGrpc.newBlockingStub(server.channel()).predict(PredictRequest.newBuilder()
        .setModelSpec(ModelSpec.newBuilder().setName("hpt"))
        .putInputs("x", TensorProto.newBuilder().setDtype(DataType.DT_FLOAT)
            .setTensorShape(TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dim.newBuilder().setSize(1)))
            .addFloatVal(4.0f).build())
        .build());
    float y = r.getOutputsOrThrow("y").getFloatVal(0);
    return y == 4.0f ? null : "gRPC returned " + y;
  }
}
