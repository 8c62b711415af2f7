package io.tessera.tensor.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * TF Serving's {@code JsonValueToDebugString}: a JSON value re-printed by rapidjson's PrettyWriter
 * (single-line arrays), cut off once 256 bytes are out, used inside error messages. Works by
 * re-parsing the request body from the value's byte offset, so no DOM is needed.
 */
final class DebugText {
  static final int LIMIT = 256;
  private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  private DebugText() {}

  /** The value starting at {@code offset} (relative to the position) in {@code body}. */
  static String at(ByteBuffer body, long offset) {
    RapidPrettyWriter w = new RapidPrettyWriter(null);
    w.setSingleLineArray(true);
    try (JsonParser p = PredictJsonReader.parserAt(body, offset)) {
      int depth = 0;
      JsonToken t = p.nextToken();
      while (t != null) {
        if (w.size() >= LIMIT || !emit(p, t, w)) {
          break;
        }
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
          depth++;
        } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
          depth--;
        }
        if (depth == 0) {
          break;
        }
        t = p.nextToken();
      }
    } catch (IOException | RuntimeException e) {
      // The body was already validated; anything odd just ends the (best-effort) text.
    }
    return w.text();
  }

  private static boolean emit(JsonParser p, JsonToken t, RapidPrettyWriter w) throws IOException {
    switch (t) {
      case START_OBJECT -> w.startObject();
      case END_OBJECT -> w.endObject();
      case START_ARRAY -> w.startArray();
      case END_ARRAY -> w.endArray();
      case FIELD_NAME -> w.key(p.currentName());
      case VALUE_STRING -> {
        // A long string (a base64 photo) is cut to what fits: the text stays about LIMIT bytes.
        byte[] text = p.getText().getBytes(StandardCharsets.UTF_8);
        int room = (int) Math.max(0, LIMIT - w.size());
        if (text.length > room) {
          int cut = room;
          while (cut > 0 && (text[cut] & 0xC0) == 0x80) {
            cut--; // not inside a UTF-8 sequence
          }
          w.string(java.util.Arrays.copyOf(text, cut));
          return false;
        }
        w.string(text);
      }
      case VALUE_TRUE -> w.bool(true);
      case VALUE_FALSE -> w.bool(false);
      case VALUE_NULL -> w.nullValue();
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
        String text = numberText(p, t);
        if (text == null) {
          return false;
        }
        w.rawNumber(text);
      }
      default -> {
        return false;
      }
    }
    return true;
  }

  /** How rapidjson writes back a parsed number; null for NaN/Infinity (its writer fails). */
  static String numberText(JsonParser p, JsonToken t) throws IOException {
    if (t == JsonToken.VALUE_NUMBER_INT) {
      JsonParser.NumberType nt = p.getNumberType();
      if (nt != JsonParser.NumberType.BIG_INTEGER) {
        return Long.toString(p.getLongValue());
      }
      BigInteger b = p.getBigIntegerValue();
      if (b.signum() > 0 && b.compareTo(UINT64_MAX) <= 0) {
        return b.toString();
      }
      return FloatText.rapidjsonDouble(b.doubleValue());
    }
    return FloatText.rapidjsonDouble(p.getDoubleValue());
  }
}
