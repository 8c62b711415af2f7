package io.tessera.image;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.tessera.status.ServingException;
import io.tessera.tensor.json.BufferInput;
import io.tessera.tensor.json.RapidJsonFactory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A REST predict body that carries encoded images for a model with image preprocessing:
 * <ul>
 *   <li>row: {@code {"instances": [{"b64": "..."}, {"image_bytes": {"b64": "..."}}, ...]}}</li>
 *   <li>columnar: {@code {"inputs": {"image_bytes": [{"b64": ...}, ...]}}} or
 *       {@code {"inputs": [{"b64": ...}]}}</li>
 * </ul>
 * plus optional {@code signature_name} and Tessera's {@code top_k} (labelled top-k in the reply).
 * {@link #startsLikeImages} decides from a bounded prefix (up to the data value's first element)
 * whether a body is meant as one, so a float body is parsed once, by TF Serving's ordinary JSON
 * path; {@link #parse} returns null when the body turns out not to be of that shape after all,
 * and the caller then falls back to the ordinary path (bodies that mix the two, an error either
 * way). Pure.
 */
public record ImageJsonRequest(String signatureName, boolean rowFormat, List<byte[]> images, int topK) {
  private static final JsonFactory JSON = RapidJsonFactory.INSTANCE;  // as the ordinary predict path reads

  /**
   * True when the body's data value starts with an encoded image for {@code config}: an instance
   * {"b64": ...} (when bare b64 is accepted) or {image_key: ...}, or columnar inputs keyed by an
   * image key or a list of {"b64": ...}. Reads tokens only up to that first element (members
   * before the data value are skipped); malformed JSON is false (the ordinary path reports it).
   */
  public static boolean startsLikeImages(ByteBuffer body, ImageConfig config) {
    try (JsonParser p = BufferInput.parser(JSON, body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return false;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        JsonToken value = p.nextToken();
        if (key.equals("instances")) {
          return value == JsonToken.START_ARRAY && p.nextToken() == JsonToken.START_OBJECT
              && p.nextToken() == JsonToken.FIELD_NAME && isImageMember(p.currentName(), config);
        }
        if (key.equals("inputs")) {
          if (value == JsonToken.START_OBJECT) {
            return p.nextToken() == JsonToken.FIELD_NAME && config.isImageKey(p.currentName());
          }
          return value == JsonToken.START_ARRAY && p.nextToken() == JsonToken.START_OBJECT
              && p.nextToken() == JsonToken.FIELD_NAME && p.currentName().equals(ImageConfig.BARE_B64);
        }
        p.skipChildren();
      }
      return false;
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean isImageMember(String key, ImageConfig config) {
    return config.isImageKey(key) || (key.equals(ImageConfig.BARE_B64) && config.acceptsBareB64());
  }

  /** @return the image request, or null if the body is not an image request for {@code config} */
  public static ImageJsonRequest parse(ByteBuffer body, ImageConfig config) {
    try (JsonParser p = BufferInput.parser(JSON, body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      String signature = "";
      Boolean row = null;
      List<byte[]> images = null;
      int topK = 0;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        p.nextToken();
        switch (key) {
          case "signature_name" -> {
            if (p.currentToken() != JsonToken.VALUE_STRING) {
              return null;
            }
            signature = p.getText();
          }
          case "top_k" -> {
            if (p.currentToken() != JsonToken.VALUE_NUMBER_INT || p.getIntValue() < 0) {
              throw ServingException.invalidArgument("top_k must be a non-negative integer");
            }
            topK = p.getIntValue();
          }
          case "instances", "inputs" -> {
            if (row != null) {
              return null;  // both keys: let the ordinary path report TF Serving's error
            }
            row = key.equals("instances");
            images = row ? instances(p, config) : columns(p, config);
            if (images == null) {
              return null;
            }
          }
          default -> {
            return null;
          }
        }
      }
      return images == null || images.isEmpty() ? null : new ImageJsonRequest(signature, row, images, topK);
    } catch (IOException e) {
      return null;  // malformed JSON: the ordinary path reports it in TF Serving's words
    }
  }

  private static List<byte[]> instances(JsonParser p, ImageConfig config) throws IOException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      return null;
    }
    List<byte[]> images = new ArrayList<>();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      byte[] image = instance(p, config);
      if (image == null) {
        return null;
      }
      images.add(image);
    }
    return images;
  }

  /** One instance: {"b64": ...} (bare) or {key: {"b64": ...}} with an accepted image key. */
  private static byte[] instance(JsonParser p, ImageConfig config) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT || p.nextToken() != JsonToken.FIELD_NAME) {
      return null;
    }
    String key = p.currentName();
    p.nextToken();
    byte[] image;
    if (key.equals(ImageConfig.BARE_B64) && config.acceptsBareB64()) {
      image = base64(p, config);
    } else if (config.isImageKey(key)) {
      image = b64Object(p, config);
    } else {
      return null;
    }
    return image != null && p.nextToken() == JsonToken.END_OBJECT ? image : null;
  }

  private static List<byte[]> columns(JsonParser p, ImageConfig config) throws IOException {
    if (p.currentToken() == JsonToken.START_OBJECT) {
      if (p.nextToken() != JsonToken.FIELD_NAME) {
        return null;
      }
      String key = p.currentName();
      if (!config.isImageKey(key)) {
        return null;
      }
      p.nextToken();
      List<byte[]> images = columnValue(p, config);
      return images != null && p.nextToken() == JsonToken.END_OBJECT ? images : null;
    }
    return columnValue(p, config);
  }

  private static List<byte[]> columnValue(JsonParser p, ImageConfig config) throws IOException {
    if (p.currentToken() == JsonToken.START_OBJECT) {
      byte[] one = b64Object(p, config);
      return one == null ? null : List.of(one);
    }
    if (p.currentToken() != JsonToken.START_ARRAY) {
      return null;
    }
    List<byte[]> images = new ArrayList<>();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      byte[] image = b64Object(p, config);
      if (image == null) {
        return null;
      }
      images.add(image);
    }
    return images;
  }

  /** {"b64": "..."} with exactly that one member. */
  private static byte[] b64Object(JsonParser p, ImageConfig config) throws IOException {
    if (p.currentToken() != JsonToken.START_OBJECT || p.nextToken() != JsonToken.FIELD_NAME
        || !p.currentName().equals("b64")) {
      return null;
    }
    p.nextToken();
    byte[] image = base64(p, config);
    return image != null && p.nextToken() == JsonToken.END_OBJECT ? image : null;
  }

  private static byte[] base64(JsonParser p, ImageConfig config) throws IOException {
    if (p.currentToken() != JsonToken.VALUE_STRING) {
      return null;
    }
    String text = p.getText();
    if (text.length() / 4L * 3 > config.maxEncodedBytes() + 3) {
      throw ServingException.invalidArgument("image is larger than the model's limit of "
          + config.maxEncodedBytes() + " encoded bytes");
    }
    try {
      return Base64.getMimeDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw ServingException.invalidArgument("Invalid base64 image data: " + e.getMessage());
    }
  }
}
