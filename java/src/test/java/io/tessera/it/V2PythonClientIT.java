package io.tessera.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An independent Open Inference Protocol client against a real server: the test writes KServe's
 * {@code grpc_predict_v2.proto} from the published spec (package {@code inference}, the spec's
 * names and field numbers; not the project's proto/ file), generates Python stubs with Debian's
 * protoc and grpc_python_plugin, and runs {@code GRPCInferenceServiceStub} calls (ServerLive,
 * ServerReady, ServerMetadata, ModelMetadata, typed FP32 ModelInfer, and raw BYTES ModelInfer of
 * every photo, whose top-1 must be expected_top5.tsv's), plus the REST binary tensor data
 * extension with the standard library's HTTP client. Needs what PythonClientIT needs (never skips).
 */
class V2PythonClientIT {
  private static final String PYTHON = "/usr/bin/python3";
  private static final String PROTOC = "/usr/bin/protoc";
  private static final String GRPC_PYTHON_PLUGIN = "/usr/bin/grpc_python_plugin";

  /** KServe's grpc_predict_v2.proto, as the spec publishes it (comments left out). */
  private static final String SPEC_PROTO = """
      syntax = "proto3";
      package inference;

      service GRPCInferenceService {
        rpc ServerLive(ServerLiveRequest) returns (ServerLiveResponse) {}
        rpc ServerReady(ServerReadyRequest) returns (ServerReadyResponse) {}
        rpc ModelReady(ModelReadyRequest) returns (ModelReadyResponse) {}
        rpc ServerMetadata(ServerMetadataRequest) returns (ServerMetadataResponse) {}
        rpc ModelMetadata(ModelMetadataRequest) returns (ModelMetadataResponse) {}
        rpc ModelInfer(ModelInferRequest) returns (ModelInferResponse) {}
      }
      message ServerLiveRequest {}
      message ServerLiveResponse { bool live = 1; }
      message ServerReadyRequest {}
      message ServerReadyResponse { bool ready = 1; }
      message ModelReadyRequest { string name = 1; string version = 2; }
      message ModelReadyResponse { bool ready = 1; }
      message ServerMetadataRequest {}
      message ServerMetadataResponse { string name = 1; string version = 2; repeated string extensions = 3; }
      message ModelMetadataRequest { string name = 1; string version = 2; }
      message ModelMetadataResponse {
        message TensorMetadata { string name = 1; string datatype = 2; repeated int64 shape = 3; }
        string name = 1;
        repeated string versions = 2;
        string platform = 3;
        repeated TensorMetadata inputs = 4;
        repeated TensorMetadata outputs = 5;
      }
      message ModelInferRequest {
        message InferInputTensor {
          string name = 1;
          string datatype = 2;
          repeated int64 shape = 3;
          map<string, InferParameter> parameters = 4;
          InferTensorContents contents = 5;
        }
        message InferRequestedOutputTensor { string name = 1; map<string, InferParameter> parameters = 2; }
        string model_name = 1;
        string model_version = 2;
        string id = 3;
        map<string, InferParameter> parameters = 4;
        repeated InferInputTensor inputs = 5;
        repeated InferRequestedOutputTensor outputs = 6;
        repeated bytes raw_input_contents = 7;
      }
      message ModelInferResponse {
        message InferOutputTensor {
          string name = 1;
          string datatype = 2;
          repeated int64 shape = 3;
          map<string, InferParameter> parameters = 4;
          InferTensorContents contents = 5;
        }
        string model_name = 1;
        string model_version = 2;
        string id = 3;
        map<string, InferParameter> parameters = 4;
        repeated InferOutputTensor outputs = 5;
        repeated bytes raw_output_contents = 6;
      }
      message InferParameter {
        oneof parameter_choice { bool bool_param = 1; int64 int64_param = 2; string string_param = 3; }
      }
      message InferTensorContents {
        repeated bool bool_contents = 1;
        repeated int32 int_contents = 2;
        repeated int64 int64_contents = 3;
        repeated uint32 uint_contents = 4;
        repeated uint64 uint64_contents = 5;
        repeated float fp32_contents = 6;
        repeated double fp64_contents = 7;
        repeated bytes bytes_contents = 8;
      }
      """;

  private static final String CLIENT = """
      import json, struct, sys, urllib.request
      import grpc
      import grpc_predict_v2_pb2 as pb
      import grpc_predict_v2_pb2_grpc as pb_grpc

      grpc_port, rest_port = sys.argv[1], sys.argv[2]
      stub = pb_grpc.GRPCInferenceServiceStub(grpc.insecure_channel("127.0.0.1:" + grpc_port))
      print("live\\t" + str(stub.ServerLive(pb.ServerLiveRequest()).live))
      print("ready\\t" + str(stub.ServerReady(pb.ServerReadyRequest()).ready))
      print("extensions\\t" + ",".join(stub.ServerMetadata(pb.ServerMetadataRequest()).extensions))
      meta = stub.ModelMetadata(pb.ModelMetadataRequest(name="half_plus_two"))
      print("metadata\\t" + meta.platform + "\\t" + ",".join(meta.versions) + "\\t" + meta.inputs[0].datatype)

      request = pb.ModelInferRequest(model_name="half_plus_two", id="py")
      x = request.inputs.add(name="x", datatype="FP32", shape=[3])
      x.contents.fp32_contents.extend([1.0, 2.0, 5.0])
      response = stub.ModelInfer(request, timeout=60)
      print("typed\\t" + response.id + "\\t" + ",".join(str(v) for v in response.outputs[0].contents.fp32_contents))

      for path in sys.argv[3:]:
          photo = open(path, "rb").read()
          request = pb.ModelInferRequest(model_name="mobilenet")
          request.inputs.add(name="images", datatype="BYTES", shape=[1])
          request.outputs.add(name="probabilities")
          request.raw_input_contents.append(struct.pack("<I", len(photo)) + photo)
          response = stub.ModelInfer(request, timeout=60)
          raw = response.raw_output_contents[0]
          scores = struct.unpack("<%df" % (len(raw) // 4), raw)
          print(path.rsplit("/", 1)[-1] + "\\t" + str(scores.index(max(scores))) + "\\t" + str(len(scores)))

      header = json.dumps({"inputs": [{"name": "x", "shape": [2], "datatype": "FP32",
                                       "parameters": {"binary_data_size": 8}}],
                           "outputs": [{"name": "y", "parameters": {"binary_data": True}}]}).encode()
      body = header + struct.pack("<2f", 4.0, 6.0)
      http = urllib.request.Request("http://127.0.0.1:" + rest_port + "/v2/models/half_plus_two/infer", data=body,
          headers={"Content-Type": "application/octet-stream", "Inference-Header-Content-Length": str(len(header))})
      with urllib.request.urlopen(http, timeout=60) as answer:
          length = int(answer.headers["Inference-Header-Content-Length"])
          data = answer.read()
      print("rest\\t" + ",".join(str(v) for v in struct.unpack("<2f", data[length:])))
      """;

  @Test
  void specStubsTalkToTheServer(@TempDir Path dir) throws Exception {
    for (String tool : List.of(PROTOC, GRPC_PYTHON_PLUGIN, PYTHON)) {
      if (!Files.isExecutable(Path.of(tool))) {
        fail(tool + " is missing: apt-get install -y protobuf-compiler protobuf-compiler-grpc python3-grpcio"
            + " python3-protobuf (.ci/run does)");
      }
    }
    Files.writeString(dir.resolve("grpc_predict_v2.proto"), SPEC_PROTO);
    run(dir, List.of(PROTOC, "-I" + dir, "--python_out=" + dir, "--grpc_python_out=" + dir,
        "--plugin=protoc-gen-grpc_python=" + GRPC_PYTHON_PLUGIN, dir.resolve("grpc_predict_v2.proto").toString()));
    Path script = Files.writeString(dir.resolve("client.py"), CLIENT);

    Map<String, Integer> expected = V2Client.expectedTop1();
    try (TestServer server = TestServer.startPolling(java.time.Duration.ZERO,
        "--model_config_file=" + V2Client.twoModelConfig(dir))) {
      List<String> command = new ArrayList<>(List.of(PYTHON, script.toString(),
          Integer.toString(server.server().grpcPort()), Integer.toString(server.server().restPort())));
      expected.keySet().forEach(photo -> command.add(TestServer.shared("images/" + photo).toString()));
      String out = run(dir, command);
      System.out.println("V2PythonClientIT:\n" + out);
      Map<String, String> lines = new LinkedHashMap<>();
      Map<String, Integer> top1 = new LinkedHashMap<>();
      for (String line : out.strip().split("\n")) {
        String[] cols = line.split("\t", 2);
        lines.put(cols[0], cols.length > 1 ? cols[1] : "");
        if (expected.containsKey(cols[0])) {
          String[] photo = line.split("\t");
          assertEquals("1001", photo[2], line);
          top1.put(photo[0], Integer.parseInt(photo[1]));
        }
      }
      assertEquals("True", lines.get("live"));
      assertEquals("True", lines.get("ready"));
      assertTrue(lines.get("extensions").contains("binary_tensor_data"), out);
      assertEquals("tensorflow_savedmodel\t123\tFP32", lines.get("metadata"));
      assertEquals("py\t2.5,3.0,4.5", lines.get("typed"));
      assertEquals(expected, top1);
      assertEquals("4.0,5.0", lines.get("rest"));
    }
  }

  /** Runs a command in {@code dir}; its output, or a failure with that output. */
  private static String run(Path dir, List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    try {
      String out = new String(p.getInputStream().readAllBytes());
      if (!p.waitFor(300, TimeUnit.SECONDS)) {
        fail("timed out: " + command.get(0) + "\n" + out);
      }
      assertEquals(0, p.exitValue(), command.get(0) + ":\n" + out);
      return out;
    } finally {
      p.destroyForcibly();
    }
  }
}
