package io.tessera.v2.rest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.tessera.serving.DeclaredTensor;
import io.tessera.status.ServingException;
import io.tessera.tensor.DataType;
import io.tessera.tensor.Shapes;
import io.tessera.tensor.SharedHostBuffer;
import io.tessera.tensor.TensorBuilder;
import io.tessera.tensor.json.BufferInput;
import io.tessera.v2.InferCalls;
import io.tessera.v2.RawBytes;
import io.tessera.v2.RequestedOutput;
import io.tessera.v2.V2Types;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a v2 inference request body in two passes over the buffer, so that {@code data} may come
 * before {@code datatype} and {@code shape}: {@link #header} reads everything but the data;
 * {@link #inputs} then streams each input's {@code data} (flat or nested) straight into its
 * aligned buffer, or takes its slice of the binary part (binary tensor data extension). No tree
 * is built. Stateless.
 */
final class InferJson {
  static final JsonFactory FACTORY = JsonFactory.builder().build();

  /** The shared buffer a binary part lies in, and where it begins there (null: a plain buffer). */
  record Host(SharedHostBuffer buffer, long binaryAt) {}

  /** An input as the header declares it; {@code binarySize} -1 = its data is JSON. */
  record Input(String name, DataType dtype, long[] shape, long binarySize) {}

  /**
   * Everything but the input data.
   *
   * @param outputs the requested outputs (empty = all)
   * @param allBinary binary_data_output: outputs not asked for by name come back as binary data
   */
  record Header(String id, List<Input> inputs, List<RequestedOutput> outputs, boolean allBinary) {}

  /** A requested output as written: {@code binary} null when the output did not say. */
  private record Asked(String name, Boolean binary, int classes) {}

  private InferJson() {}

  static Header header(ByteBuffer json) {
    try (JsonParser p = BufferInput.parser(FACTORY, json)) {
      expect(p.nextToken(), JsonToken.START_OBJECT, "the request");
      String id = "";
      List<Input> inputs = new ArrayList<>();
      List<RequestedOutput> outputs = new ArrayList<>();
      boolean binaryOutputs = false;
      List<Asked> asked = new ArrayList<>();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        switch (field) {
          case "id" -> id = string(p, value, "id");
          case "inputs" -> {
            expect(value, JsonToken.START_ARRAY, "inputs");
            while (p.nextToken() == JsonToken.START_OBJECT) {
              inputs.add(input(p));
            }
          }
          case "outputs" -> {
            expect(value, JsonToken.START_ARRAY, "outputs");
            while (p.nextToken() == JsonToken.START_OBJECT) {
              asked.add(output(p));
            }
          }
          case "parameters" -> {
            Map<String, Object> params = parameters(p, value);
            binaryOutputs = Boolean.TRUE.equals(params.get("binary_data_output"));
          }
          default -> p.skipChildren();
        }
      }
      if (inputs.isEmpty()) {
        throw ServingException.invalidArgument("inference request has no inputs");
      }
      for (Asked o : asked) {
        outputs.add(new RequestedOutput(o.name(), o.binary() == null ? binaryOutputs : o.binary(), o.classes()));
      }
      return new Header(id, inputs, outputs, binaryOutputs);
    } catch (JsonParseException e) {
      throw ServingException.invalidArgument("failed to parse the request JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw ServingException.invalidArgument("failed to read the request JSON: " + e.getMessage());
    }
  }

  /**
   * The inputs with their data; JSON data becomes tensors in aligned buffers, binary data views of
   * {@code binary} (valid while the request's buffer is), also naming where they lie in
   * {@code host} when the body is one.
   */
  static Map<String, DeclaredTensor> inputs(ByteBuffer json, Header header, ByteBuffer binary, Host host) {
    Map<String, DeclaredTensor> tensors = new LinkedHashMap<>();
    try {
      int offset = binary.position();
      for (Input in : header.inputs()) {
        if (in.binarySize() < 0) {
          continue;
        }
        if (in.binarySize() > binary.limit() - offset) {
          throw ServingException.invalidArgument("unexpected size for input '" + in.name() + "': binary_data_size "
              + in.binarySize() + " exceeds the " + (binary.limit() - offset) + " bytes of binary data left");
        }
        ByteBuffer slice = binary.duplicate().position(offset).limit(offset + (int) in.binarySize()).slice();
        long sliceAt = offset - binary.position();
        offset += (int) in.binarySize();
        DeclaredTensor t = in.dtype().isString()
            ? new DeclaredTensor.Strings(in.shape(), RawBytes.strings(slice, in.name()))
            : host == null ? new DeclaredTensor.Raw(in.dtype(), in.shape(), slice)
            : new DeclaredTensor.Raw(in.dtype(), in.shape(), slice, host.buffer(), host.binaryAt() + sliceAt);
        InferCalls.addInput(tensors, in.name(), t);
      }
      if (offset != binary.limit()) {
        throw ServingException.invalidArgument("unexpected additional input data: " + (binary.limit() - offset)
            + " bytes after the binary data of all inputs");
      }
      readData(json, header, tensors);
      return tensors;
    } catch (RuntimeException e) {
      closeBuilt(tensors);
      throw e;
    }
  }

  static void closeBuilt(Map<String, DeclaredTensor> tensors) {
    for (DeclaredTensor t : tensors.values()) {
      if (t instanceof DeclaredTensor.Built built) {
        built.tensor().close();
      }
    }
  }

  private static void readData(ByteBuffer json, Header header, Map<String, DeclaredTensor> tensors) {
    try (JsonParser p = BufferInput.parser(FACTORY, json)) {
      p.nextToken();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        if (!field.equals("inputs")) {
          p.skipChildren();
          continue;
        }
        int i = 0;
        while (p.nextToken() == JsonToken.START_OBJECT) {
          Input in = header.inputs().get(i++);
          boolean seen = false;
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            if (name.equals("data") && in.binarySize() >= 0) {
              throw ServingException.invalidArgument("input '" + in.name() + "' has both data and binary_data_size");
            } else if (name.equals("data")) {
              InferCalls.addInput(tensors, in.name(), data(p, in, json.remaining()));
              seen = true;
            } else {
              p.skipChildren();
            }
          }
          if (!seen && in.binarySize() < 0) {
            throw ServingException.invalidArgument("input '" + in.name() + "' has neither data nor binary_data_size");
          }
        }
      }
    } catch (IOException e) {
      throw ServingException.invalidArgument("failed to read the request JSON: " + e.getMessage());
    }
  }

  private static DeclaredTensor data(JsonParser p, Input in, int jsonBytes) throws IOException {
    long elements = Shapes.checkedElementCount(in.shape());
    if (in.dtype().isString()) {
      List<byte[]> strings = new ArrayList<>();
      values(p, in, v -> {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
          throw ServingException.invalidArgument("BYTES input '" + in.name() + "' takes strings, got " + p.getText());
        }
        strings.add(p.getText().getBytes(StandardCharsets.UTF_8));
      });
      if (strings.size() != elements) {
        throw ServingException.invalidArgument("unexpected number of elements " + strings.size()
            + " for input '" + in.name() + "', shape " + Shapes.debugString(in.shape()) + " has " + elements);
      }
      return new DeclaredTensor.Strings(in.shape(), strings);
    }
    // Each JSON value takes at least one byte: the body bounds the first buffer whatever the shape says.
    try (TensorBuilder builder = TensorBuilder.create(in.dtype(), Math.min(elements, jsonBytes))) {
      values(p, in, token -> {
        switch (token) {
          case VALUE_NUMBER_INT -> builder.addLong(in.dtype() == DataType.DT_UINT64
              ? p.getBigIntegerValue().longValue() : p.getLongValue());
          case VALUE_NUMBER_FLOAT -> builder.addDouble(p.getDoubleValue());
          case VALUE_TRUE, VALUE_FALSE -> builder.addBool(token == JsonToken.VALUE_TRUE);
          default -> throw ServingException.invalidArgument("input '" + in.name() + "' of datatype "
              + V2Types.name(in.dtype()) + " cannot hold " + p.getText());
        }
      });
      if (builder.count() != elements) {
        throw ServingException.invalidArgument("unexpected number of elements " + builder.count()
            + " for input '" + in.name() + "', shape " + Shapes.debugString(in.shape()) + " has " + elements);
      }
      return new DeclaredTensor.Built(builder.build(in.shape()));
    }
  }

  private interface Value {
    void add(JsonToken token) throws IOException;
  }

  /** Every scalar of a flat or nested array (or one bare scalar), row-major. */
  private static void values(JsonParser p, Input in, Value value) throws IOException {
    JsonToken t = p.currentToken();
    if (t != JsonToken.START_ARRAY) {
      value.add(t);
      return;
    }
    int depth = 0;
    do {
      if (t == JsonToken.START_ARRAY) {
        depth++;
      } else if (t == JsonToken.END_ARRAY) {
        depth--;
      } else if (t == JsonToken.START_OBJECT) {
        throw ServingException.invalidArgument("data of input '" + in.name() + "' holds an object");
      } else {
        value.add(t);
      }
      if (depth > 0) {
        t = p.nextToken();
      }
    } while (depth > 0);
  }

  private static Input input(JsonParser p) throws IOException {
    String name = null;
    String datatype = null;
    long[] shape = null;
    long binarySize = -1;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      switch (field) {
        case "name" -> name = string(p, value, "input name");
        case "datatype" -> datatype = string(p, value, "datatype");
        case "shape" -> shape = shape(p, value);
        case "parameters" -> {
          Object size = parameters(p, value).get("binary_data_size");
          if (size != null) {
            if (!(size instanceof Long n) || n < 0) {
              throw ServingException.invalidArgument("binary_data_size must be a non-negative integer, got " + size);
            }
            binarySize = n;
          }
        }
        default -> p.skipChildren();  // data: read by the second pass
      }
    }
    if (name == null || datatype == null || shape == null) {
      throw ServingException.invalidArgument("an input needs name, datatype and shape"
          + (name == null ? "" : " (input '" + name + "')"));
    }
    return new Input(name, V2Types.parse(datatype, name), shape, binarySize);
  }

  private static Asked output(JsonParser p) throws IOException {
    String name = null;
    Boolean binary = null;
    int classes = 0;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      if (field.equals("name")) {
        name = string(p, value, "output name");
      } else if (field.equals("parameters")) {
        Map<String, Object> params = parameters(p, value);
        if (params.get("binary_data") instanceof Boolean b) {
          binary = b;
        }
        Object k = params.get("classification");
        if (k != null) {
          if (!(k instanceof Long n) || n < 1 || n > Integer.MAX_VALUE) {
            throw ServingException.invalidArgument("classification must be a positive integer, got " + k);
          }
          classes = (int) (long) n;
        }
      } else {
        p.skipChildren();
      }
    }
    if (name == null) {
      throw ServingException.invalidArgument("a requested output needs a name");
    }
    return new Asked(name, binary, classes);
  }

  /** A parameters object: bool, integer (Long), number (Double) or string values. */
  private static Map<String, Object> parameters(JsonParser p, JsonToken value) throws IOException {
    expect(value, JsonToken.START_OBJECT, "parameters");
    Map<String, Object> params = new LinkedHashMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken v = p.nextToken();
      switch (v) {
        case VALUE_TRUE, VALUE_FALSE -> params.put(name, v == JsonToken.VALUE_TRUE);
        case VALUE_NUMBER_INT -> params.put(name, p.getLongValue());
        case VALUE_NUMBER_FLOAT -> params.put(name, p.getDoubleValue());
        case VALUE_STRING -> params.put(name, p.getText());
        default -> {
          p.skipChildren();
          params.put(name, "?");
        }
      }
    }
    return params;
  }

  private static long[] shape(JsonParser p, JsonToken value) throws IOException {
    expect(value, JsonToken.START_ARRAY, "shape");
    List<Long> dims = new ArrayList<>();
    while (p.nextToken() == JsonToken.VALUE_NUMBER_INT) {
      dims.add(p.getLongValue());
    }
    if (p.currentToken() != JsonToken.END_ARRAY) {
      throw ServingException.invalidArgument("shape must be an array of integers");
    }
    return dims.stream().mapToLong(Long::longValue).toArray();
  }

  private static String string(JsonParser p, JsonToken value, String what) throws IOException {
    expect(value, JsonToken.VALUE_STRING, what);
    return p.getText();
  }

  private static void expect(JsonToken got, JsonToken wanted, String what) {
    if (got != wanted) {
      throw ServingException.invalidArgument(what + " must be " + switch (wanted) {
        case START_OBJECT -> "an object";
        case START_ARRAY -> "an array";
        default -> "a string";
      });
    }
  }
}
