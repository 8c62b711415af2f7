package io.tessera.tensor.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.google.protobuf.ByteString;
import io.tessera.proto.serving.ExampleList;
import io.tessera.proto.serving.ExampleListWithContext;
import io.tessera.proto.serving.Input;
import io.tessera.proto.tf.Example;
import io.tessera.proto.tf.Feature;
import io.tessera.proto.tf.Features;
import io.tessera.status.ServingException;
import io.tessera.tensor.json.JsonDom.Kind;
import io.tessera.tensor.json.JsonDom.Node;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Parses a REST :classify / :regress body as TF Serving's {@code FillClassifyRegressRequestFromJson}
 * ({@code util/json_tensor.cc}) does, with its checks in its order and its wording: the whole
 * document is parsed first (syntax errors, "The document is empty"), then the root must be an
 * object, {@code signature_name} a string, the optional {@code context} an Example object, and
 * {@code examples} a non-empty array of Example objects. Feature values: string → bytes_list,
 * {@code {"b64": ...}} → bytes, integer → int64_list, decimal → float_list, true/false → int64
 * 1/0; a list holds values of one kind (the first decides); null and nested lists are errors;
 * an empty list is a feature with no kind. JSON types are named as rapidjson's (Array, Number,
 * Object, Null, String, True, False). The document's DOM is charged to the memory budget while
 * it is read. Pure.
 */
public final class ExampleJsonReader {
  private static final String SIGNATURE_KEY = "signature_name";
  private static final String CONTEXT_KEY = "context";
  private static final String EXAMPLES_KEY = "examples";

  /** A parsed body: the signature it names ("" = serving_default) and its Examples. */
  public record Request(String signatureName, Input input) {}

  private ExampleJsonReader() {}

  public static Request read(ByteBuffer body) {
    PredictJsonReader.Body b = new PredictJsonReader.Body(body);
    if (b.length == 0) {
      throw ServingException.invalidArgument("JSON Parse error: The document is empty");
    }
    Node root;
    try (JsonParser p = b.parser()) {
      JsonToken t = p.nextToken();
      if (t == null) {
        throw ServingException.invalidArgument("JSON Parse error: The document is empty. at offset: " + b.length);
      }
      b.rootOffset = p.currentTokenLocation().getByteOffset();
      root = JsonDom.read(p, 0);
    } catch (JsonProcessingException e) {
      throw PredictJsonReader.parseError(e, b);
    } catch (IOException e) {
      throw ServingException.invalidArgument("JSON Parse error: " + e.getMessage());
    }
    try {
      return request(b, root);
    } finally {
      root.release();
    }
  }

  private static Request request(PredictJsonReader.Body b, Node root) {
    if (root.kind != Kind.OBJECT) {
      throw ServingException.invalidArgument(b.docError("Is not object"));
    }
    String signature = "";
    Node sig = root.member(SIGNATURE_KEY);
    if (sig != null) {
      if (sig.kind != Kind.STRING) {
        throw ServingException.invalidArgument(b.docError(
            "not formatted correctly. 'signature_name' key must be a string value."));
      }
      signature = sig.text;
    }
    Node contextNode = root.member(CONTEXT_KEY);
    Example context = contextNode == null ? null : example(contextNode);
    Node examplesNode = root.member(EXAMPLES_KEY);
    if (examplesNode == null) {
      // TF Serving says "classify" for :regress too.
      throw ServingException.invalidArgument(b.docError(
          "When method is classify, key '" + EXAMPLES_KEY + "' is expected and was not found"));
    }
    if (examplesNode.kind != Kind.ARRAY) {
      throw ServingException.invalidArgument(b.docError(
          "Expecting '" + EXAMPLES_KEY + "' value to be an list/array"));
    }
    if (examplesNode.size() == 0) {
      throw ServingException.invalidArgument(b.docError("'" + EXAMPLES_KEY + "' value is an empty array"));
    }
    List<Example> examples = new ArrayList<>(examplesNode.size());
    for (Node e : examplesNode.items) {
      examples.add(example(e));
    }
    Input input = context == null
        ? Input.newBuilder().setExampleList(ExampleList.newBuilder().addAllExamples(examples)).build()
        : Input.newBuilder().setExampleListWithContext(ExampleListWithContext.newBuilder()
            .setContext(context).addAllExamples(examples)).build();
    return new Request(signature, input);
  }

  /** TF Serving's {@code MakeExampleFromJsonObject}; a repeated feature name keeps the last value. */
  private static Example example(Node val) {
    if (val.kind != Kind.OBJECT) {
      throw ServingException.invalidArgument("Example must be JSON object but got JSON " + val.jsonType());
    }
    Features.Builder features = Features.newBuilder();
    for (int i = 0; i < val.keys.size(); i++) {
      String name = val.keys.get(i);
      Node content = val.items.get(i);
      FeatureValues feature = new FeatureValues(name);
      if (content.kind == Kind.ARRAY) {
        for (Node v : content.items) {
          feature.add(v);
        }
      } else {
        feature.add(content);
      }
      features.putFeature(name, feature.build());
    }
    return Example.newBuilder().setFeatures(features).build();
  }

  /** One feature's values as TF Serving's {@code AddValueToFeature} collects them. */
  private static final class FeatureValues {
    private final String name;
    private final Feature.Builder feature = Feature.newBuilder();

    FeatureValues(String name) {
      this.name = name;
    }

    void add(Node val) {
      switch (val.kind) {
        case NULL, ARRAY -> throw unexpectedType(val);
        case TRUE, FALSE -> {
          expect(Feature.KindCase.INT64_LIST);
          feature.getInt64ListBuilder().addValue(val.kind == Kind.TRUE ? 1 : 0);
        }
        case OBJECT -> {
          if (!val.isB64Object()) {
            throw unexpectedType(val);
          }
          expect(Feature.KindCase.BYTES_LIST);
          feature.getBytesListBuilder().addValue(base64(val.member("b64").text));
        }
        case STRING -> {
          expect(Feature.KindCase.BYTES_LIST);
          feature.getBytesListBuilder().addValue(ByteString.copyFromUtf8(val.text));
        }
        case NUMBER -> number(val);
      }
    }

    private void number(Node val) {
      if (val.numKind == JsonDom.DOUBLE) {
        expect(Feature.KindCase.FLOAT_LIST);
        feature.getFloatListBuilder().addValue((float) val.dv);
        return;
      }
      expect(Feature.KindCase.INT64_LIST);
      if (!val.isInt64()) {
        throw ServingException.invalidArgument("Feature: " + name + " has uint64_t element. Only int64_t is supported.");
      }
      feature.getInt64ListBuilder().addValue(val.lv);
    }

    /** TF Serving's {@code IncompatibleFeatureKindError}: the first value fixed the kind. */
    private void expect(Feature.KindCase kind) {
      Feature.KindCase have = feature.getKindCase();
      if (have == Feature.KindCase.KIND_NOT_SET || have == kind) {
        return;
      }
      String expecting = switch (have) {
        case BYTES_LIST -> "bytes";
        case FLOAT_LIST -> "float";
        case INT64_LIST -> "int64";
        case KIND_NOT_SET -> "UNKNOWN";
      };
      throw ServingException.invalidArgument("Unexpected element type in feature: " + name
          + " expecting type: " + expecting);
    }

    private ServingException unexpectedType(Node val) {
      return ServingException.invalidArgument("Feature: " + name + " has element with unexpected JSON type: "
          + val.jsonType());
    }

    Feature build() {
      return feature.build();
    }
  }

  private static ByteString base64(String text) {
    try {
      return ByteString.copyFrom(Base64.getDecoder().decode(text));
    } catch (IllegalArgumentException e) {
      throw ServingException.invalidArgument("Unable to base64 decode");
    }
  }
}
