package io.tessera.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.google.protobuf.ByteString;
import io.tessera.proto.serving.ExampleList;
import io.tessera.proto.serving.ExampleListWithContext;
import io.tessera.proto.serving.Input;
import io.tessera.proto.tf.BytesList;
import io.tessera.proto.tf.Example;
import io.tessera.proto.tf.Feature;
import io.tessera.proto.tf.Features;
import io.tessera.proto.tf.FloatList;
import io.tessera.proto.tf.Int64List;
import io.tessera.status.ErrorText;
import io.tessera.status.ServingException;
import io.tessera.tensor.json.BufferInput;
import io.tessera.tensor.json.RapidJsonFactory;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A REST :classify / :regress body ({@code signature_name}, optional {@code context}, required
 * non-empty {@code examples}) as a tf.Example Input, with TF Serving's feature-value rules: string →
 * bytes_list, {"b64": ...} → bytes, integer → int64_list, decimal → float_list, true/false → int64
 * 1/0, a list → repeated values of one kind; null and nested lists are errors. Pure.
 */
final class ExampleJson {
  private static final JsonFactory JSON = RapidJsonFactory.INSTANCE;  // rapidjson's NaN/Inf, any nesting

  /** The parsed request. */
  record Request(String signatureName, Input input) {}

  private ExampleJson() {}

  static Request parse(ByteBuffer body) {
    if (!body.hasRemaining()) {
      throw ServingException.invalidArgument("JSON Parse error: The document is empty");  // json_tensor.cc ParseJson
    }
    try (JsonParser p = BufferInput.parser(JSON, body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        // Echoes the body as TF Serving does; a prefix suffices, the message is cut at 1024 chars.
        throw ServingException.invalidArgument("JSON Value: "
            + BufferInput.prefix(body, 4 * ErrorText.MAX_CHARS) + " Is not an object");
      }
      String signature = "";
      Example context = null;
      List<Example> examples = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        p.nextToken();
        switch (key) {
          case "signature_name" -> {
            if (p.currentToken() != JsonToken.VALUE_STRING) {
              throw ServingException.invalidArgument("'signature_name' key must be a string value.");
            }
            signature = p.getText();
          }
          case "context" -> context = example(p);
          case "examples" -> examples = examples(p);
          default -> p.skipChildren();
        }
      }
      if (examples == null) {
        throw ServingException.invalidArgument("Missing 'examples' key");
      }
      if (examples.isEmpty()) {
        throw ServingException.invalidArgument("'examples' value is an empty array");
      }
      Input input = context == null
          ? Input.newBuilder().setExampleList(ExampleList.newBuilder().addAllExamples(examples)).build()
          : Input.newBuilder().setExampleListWithContext(ExampleListWithContext.newBuilder()
              .setContext(context).addAllExamples(examples)).build();
      return new Request(signature, input);
    } catch (IOException e) {
      throw ServingException.invalidArgument("JSON Parse error: " + e.getMessage());
    }
  }

  private static List<Example> examples(JsonParser p) throws IOException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw ServingException.invalidArgument("'examples' must be an array");
    }
    List<Example> examples = new ArrayList<>();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      examples.add(example(p));
    }
    return examples;
  }

  private static Example example(JsonParser p) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw ServingException.invalidArgument("Example must be JSON object but got JSON " + p.currentToken());
    }
    Features.Builder features = Features.newBuilder();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      p.nextToken();
      features.putFeature(name, feature(name, p));
    }
    return Example.newBuilder().setFeatures(features).build();
  }

  /** One feature: a single value or a flat list of values of one kind. */
  private static Feature feature(String name, JsonParser p) throws IOException {
    List<Object> values = new ArrayList<>();
    if (p.currentToken() == JsonToken.START_ARRAY) {
      while (p.nextToken() != JsonToken.END_ARRAY) {
        if (p.currentToken() == JsonToken.START_ARRAY) {
          throw ServingException.invalidArgument("Feature: " + name + " has nested lists, which are not supported");
        }
        values.add(value(name, p));
      }
    } else {
      values.add(value(name, p));
    }
    boolean anyBytes = values.stream().anyMatch(v -> v instanceof ByteString);
    boolean anyDecimal = values.stream().anyMatch(v -> v instanceof Double);
    if (anyBytes && values.stream().anyMatch(v -> !(v instanceof ByteString))) {
      throw ServingException.invalidArgument("Feature: " + name + " mixes strings and numbers");
    }
    Feature.Builder feature = Feature.newBuilder();
    if (anyBytes) {
      BytesList.Builder list = BytesList.newBuilder();
      values.forEach(v -> list.addValue((ByteString) v));
      feature.setBytesList(list);
    } else if (anyDecimal) {
      FloatList.Builder list = FloatList.newBuilder();
      values.forEach(v -> list.addValue(((Number) v).floatValue()));
      feature.setFloatList(list);
    } else {
      Int64List.Builder list = Int64List.newBuilder();
      values.forEach(v -> list.addValue((Long) v));
      feature.setInt64List(list);
    }
    return feature.build();
  }

  private static Object value(String name, JsonParser p) throws IOException {
    return switch (p.currentToken()) {
      case VALUE_STRING -> ByteString.copyFromUtf8(p.getText());
      case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
      case VALUE_NUMBER_INT -> integer(name, p);
      case VALUE_TRUE -> 1L;
      case VALUE_FALSE -> 0L;
      case START_OBJECT -> b64(name, p);
      default -> throw ServingException.invalidArgument("Feature: " + name + " has an unsupported JSON value: "
          + p.getText());
    };
  }

  private static long integer(String name, JsonParser p) throws IOException {
    BigInteger v = p.getBigIntegerValue();
    if (v.bitLength() > 63) {
      throw ServingException.invalidArgument("Feature: " + name + " value " + v + " does not fit an int64");
    }
    return v.longValue();
  }

  private static ByteString b64(String name, JsonParser p) throws IOException {
    if (p.nextToken() != JsonToken.FIELD_NAME || !p.currentName().equals("b64")
        || p.nextToken() != JsonToken.VALUE_STRING) {
      throw ServingException.invalidArgument("Feature: " + name + " object values must be {\"b64\": \"...\"}");
    }
    ByteString bytes;
    try {
      bytes = ByteString.copyFrom(Base64.getDecoder().decode(p.getText()));
    } catch (IllegalArgumentException e) {
      throw ServingException.invalidArgument("Feature: " + name + " has invalid base64: " + e.getMessage());
    }
    if (p.nextToken() != JsonToken.END_OBJECT) {
      throw ServingException.invalidArgument("Feature: " + name + " object values must be {\"b64\": \"...\"}");
    }
    return bytes;
  }
}
