package io.tessera.v2.rest;

import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.tessera.serving.Predicted;
import io.tessera.tensor.OutputTensor;
import io.tessera.v2.RawBytes;
import io.tessera.v2.RequestedOutput;
import io.tessera.v2.ResultTensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes an inference response: the JSON object ({@code model_name}, {@code model_version},
 * {@code id}, {@code outputs} with {@code data} flat in row-major order), then, for outputs the
 * request wanted as binary data, their raw bytes in output order (binary tensor data extension;
 * each such output carries {@code parameters.binary_data_size} instead of {@code data}). Runs in
 * the pipeline's encoder, while the outputs are alive. Stateless.
 */
final class InferResponseWriter {
  private InferResponseWriter() {}

  /** @return the JSON part's length: the Inference-Header-Content-Length when binary data follows, else -1 */
  static int write(Predicted ran, InferJson.Header header, ByteBuf out) throws IOException {
    List<ResultTensor> outputs = ResultTensor.of(ran);
    boolean[] binary = new boolean[outputs.size()];
    boolean anyBinary = false;
    for (int i = 0; i < binary.length; i++) {
      binary[i] = binary(header, outputs.get(i).name());
      anyBinary |= binary[i];
    }
    int start = out.writerIndex();
    try (JsonGenerator json = InferJson.FACTORY.createGenerator((java.io.OutputStream) new ByteBufOutputStream(out))) {
      json.writeStartObject();
      json.writeStringField("model_name", ran.id().name());
      json.writeStringField("model_version", Long.toString(ran.id().version()));
      if (!header.id().isEmpty()) {
        json.writeStringField("id", header.id());
      }
      json.writeArrayFieldStart("outputs");
      for (int i = 0; i < binary.length; i++) {
        ResultTensor t = outputs.get(i);
        json.writeStartObject();
        describe(json, t.name(), t.datatype(), t.shape());
        if (binary[i]) {
          json.writeObjectFieldStart("parameters");
          json.writeNumberField("binary_data_size", RawBytes.size(t));
          json.writeEndObject();
        } else {
          json.writeFieldName("data");
          data(json, t);
        }
        json.writeEndObject();
      }
      json.writeEndArray();
      json.writeEndObject();
    }
    int jsonLength = out.writerIndex() - start;
    if (!anyBinary) {
      return -1;
    }
    for (int i = 0; i < binary.length; i++) {
      if (binary[i]) {
        out.writeBytes(RawBytes.of(outputs.get(i)));
      }
    }
    return jsonLength;
  }

  /** A tensor's {@code name}, {@code datatype} and {@code shape} members (responses and metadata). */
  static void describe(JsonGenerator json, String name, String datatype, long[] shape) throws IOException {
    json.writeStringField("name", name);
    json.writeStringField("datatype", datatype);
    json.writeArrayFieldStart("shape");
    for (long d : shape) {
      json.writeNumber(d);
    }
    json.writeEndArray();
  }

  private static boolean binary(InferJson.Header header, String output) {
    for (RequestedOutput o : header.outputs()) {
      if (o.name().equals(output)) {
        return o.binary();
      }
    }
    return header.allBinary();
  }

  private static void data(JsonGenerator json, ResultTensor result) throws IOException {
    json.writeStartArray();
    if (result instanceof ResultTensor.Tensor dense && !dense.tensor().dtype().isString()) {
      OutputTensor t = dense.tensor();
      long n = t.elementCount();
      for (long i = 0; i < n; i++) {
        switch (t.dtype()) {
          case DT_FLOAT -> json.writeNumber(t.getFloat(i));
          case DT_DOUBLE -> json.writeNumber(t.getDouble(i));
          case DT_HALF, DT_BFLOAT16 -> json.writeNumber(t.getHalfAsFloat(i));
          case DT_BOOL -> json.writeBoolean(t.getLong(i) != 0);
          case DT_UINT64 -> json.writeNumber(Long.toUnsignedString(t.getLong(i)));
          case DT_COMPLEX64, DT_COMPLEX128 -> throw io.tessera.status.ServingException.unimplemented(
              "output '" + t.alias() + "' is complex, which the protocol cannot carry");
          default -> json.writeNumber(t.getLong(i));
        }
      }
    } else {
      for (byte[] s : RawBytes.elements(result)) {
        json.writeString(new String(s, StandardCharsets.UTF_8));
      }
    }
    json.writeEndArray();
  }
}
