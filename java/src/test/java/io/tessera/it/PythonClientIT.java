package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deployment guide's Python gRPC client (§5.2) against a real server: protoc over this
 * project's proto/ files (all of them, with the package root as -I, so every import resolves),
 * then {@code prediction_service_pb2_grpc.PredictionServiceStub(channel).Predict(request)} for
 * mobilenet_v2 with each photo in shared/images, preprocessed with PIL and numpy as the guide does
 * (RGB, bilinear 224x224, x/127.5 - 1). The top-1 class must be expected_top5.tsv's. The stubs are
 * TF Serving's apis/prediction_service.proto (model_servers/prediction_service_impl.cc serves it),
 * so this is the client a TF Serving user already has.
 *
 * <p>protoc is Debian's protobuf-compiler (3.21) with protobuf-compiler-grpc's grpc_python_plugin,
 * the same code generator as the guide's {@code python -m grpc_tools.protoc}: Debian 12's
 * python3-grpc-tools bundles protoc 3.5.1, which rejects the proto3 {@code optional} fields of TF
 * Serving's predict.proto. Runtime: python3-grpcio, python3-protobuf, python3-numpy, python3-pil
 * under /usr/bin/python3 (.ci/run installs all of them); without one the test fails saying which,
 * it never skips.
 */
class PythonClientIT {
  private static final String PYTHON = "/usr/bin/python3";
  private static final Path PROTO_ROOT = Path.of("../proto/src/main/proto").toAbsolutePath().normalize();
  private static final String PROTOC = "/usr/bin/protoc";
  private static final String GRPC_PYTHON_PLUGIN = "/usr/bin/grpc_python_plugin";
  /** Python module → the Debian package that provides it. */
  private static final Map<String, String> MODULES = Map.of(
      "grpc", "python3-grpcio", "google.protobuf", "python3-protobuf",
      "numpy", "python3-numpy", "PIL.Image", "python3-pil");

  private static final String CLIENT = """
      import sys
      import grpc
      import numpy as np
      from PIL import Image
      from tensorflow_serving.apis import predict_pb2, prediction_service_pb2_grpc

      port, model = sys.argv[1], sys.argv[2]
      channel = grpc.insecure_channel("127.0.0.1:" + port)
      stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
      for path in sys.argv[3:]:
          image = Image.open(path).convert("RGB").resize((224, 224), Image.BILINEAR)
          pixels = np.asarray(image, dtype=np.float32) / 127.5 - 1.0
          request = predict_pb2.PredictRequest()
          request.model_spec.name = model
          request.model_spec.signature_name = "serving_default"
          request.inputs["images"].CopyFrom(_tensor(pixels[np.newaxis, ...]))
          response = stub.Predict(request, timeout=60)
          scores = np.array(response.outputs["probabilities"].float_val, dtype=np.float32)
          print(path.rsplit("/", 1)[-1] + "\\t" + str(int(np.argmax(scores))) + "\\t" + str(scores.size))
      """;

  /** make_tensor_proto without TensorFlow: a float32 TensorProto with tensor_content. */
  private static final String TENSOR = """
      from tensorflow.core.framework import tensor_pb2, tensor_shape_pb2, types_pb2

      def _tensor(array):
          proto = tensor_pb2.TensorProto(dtype=types_pb2.DT_FLOAT)
          proto.tensor_shape.CopyFrom(tensor_shape_pb2.TensorShapeProto(
              dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=d) for d in array.shape]))
          proto.tensor_content = array.astype("<f4").tobytes()
          return proto
      """;

  @Test
  void guideClientClassifiesEveryPhotoOverGrpc(@TempDir Path dir) throws Exception {
    requirePythonPackages();
    List<String> protoc = new ArrayList<>(List.of(PROTOC, "-I" + PROTO_ROOT, "--python_out=" + dir,
        "--grpc_python_out=" + dir, "--plugin=protoc-gen-grpc_python=" + GRPC_PYTHON_PLUGIN));
    try (Stream<Path> files = Files.walk(PROTO_ROOT)) {
      files.filter(p -> p.toString().endsWith(".proto")).sorted().forEach(p -> protoc.add(p.toString()));
    }
    run(dir, protoc);
    assertTrue(Files.exists(dir.resolve("tensorflow_serving/apis/prediction_service_pb2_grpc.py")));
    Path script = Files.writeString(dir.resolve("client.py"), TENSOR + "\n" + CLIENT);

    Map<String, Integer> expected = expectedTop1();
    try (TestServer server = TestServer.start("mobilenet", TestServer.shared("models/mobilenet_v2"))) {
      List<String> command = new ArrayList<>(List.of(PYTHON, script.toString(),
          Integer.toString(server.server().grpcPort()), "mobilenet"));
      expected.keySet().forEach(photo -> command.add(TestServer.shared("images/" + photo).toString()));
      String out = run(dir, command);
      System.out.println("PythonClientIT:\n" + out);
      Map<String, Integer> top1 = new LinkedHashMap<>();
      for (String line : out.strip().split("\n")) {
        String[] cols = line.split("\t");
        assertEquals("1001", cols[2], line);
        top1.put(cols[0], Integer.parseInt(cols[1]));
      }
      assertEquals(expected, top1);
    }
  }

  /** Fails (never skips) naming the Debian packages that are missing. */
  private static void requirePythonPackages() throws Exception {
    List<String> missing = new ArrayList<>();
    if (!Files.isExecutable(Path.of(PROTOC))) {
      missing.add("protobuf-compiler (" + PROTOC + ")");
    }
    if (!Files.isExecutable(Path.of(GRPC_PYTHON_PLUGIN))) {
      missing.add("protobuf-compiler-grpc (" + GRPC_PYTHON_PLUGIN + ")");
    }
    if (!Files.isExecutable(Path.of(PYTHON))) {
      fail(PYTHON + " is missing: apt-get install -y python3 " + String.join(" ", MODULES.values()));
    }
    for (Map.Entry<String, String> m : MODULES.entrySet()) {
      Process p = new ProcessBuilder(PYTHON, "-c", "import " + m.getKey()).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        missing.add(m.getValue() + " (import " + m.getKey() + ")");
      }
    }
    if (!missing.isEmpty()) {
      fail("Missing " + String.join(", ", missing) + ": apt-get install -y protobuf-compiler "
          + "protobuf-compiler-grpc python3-grpcio python3-protobuf python3-numpy python3-pil (.ci/run does)");
    }
  }

  private static Map<String, Integer> expectedTop1() throws IOException {
    Map<String, Integer> top1 = new LinkedHashMap<>();
    for (String line : Files.readAllLines(TestServer.shared("models/mobilenet_v2/expected_top5.tsv"))) {
      String[] cols = line.split("\t");
      if (cols.length > 2 && cols[1].equals("1")) {
        top1.put(cols[0], Integer.parseInt(cols[2]));
      }
    }
    assertEquals(6, top1.size(), "expected_top5.tsv should list six photos");
    return top1;
  }

  /** Runs a command in {@code dir}; its output, or a failure with that output. */
  private static String run(Path dir, List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("timed out: " + command.get(0) + " " + command.get(1) + "\n" + out);
    }
    assertEquals(0, p.exitValue(), command.get(0) + ":\n" + out);
    return out;
  }
}
