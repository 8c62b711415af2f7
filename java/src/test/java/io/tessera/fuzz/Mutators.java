package io.tessera.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Deterministic mutations driven by one {@link SplittableRandom}: JSON tree edits (replace a node
 * with a hostile value, drop or rename keys), hostile JSON text (deep nesting, huge numbers), and
 * byte-level edits (flip, truncate, insert, splice). Every method appends what it did to
 * {@code log} so a case's description says how it was built. Output sizes stay bounded (a few
 * hundred KB at most) so cases stay small on the wire.
 */
final class Mutators {
  static final JsonNodeFactory F = JsonNodeFactory.instance;

  private Mutators() {}

  /** A hostile or odd JSON literal, as text (some are not valid JSON numbers on purpose). */
  static String oddLiteral(SplittableRandom r) {
    String[] odd = {"1e400", "-1e400", "99999999999999999999999999", "-9223372036854775809",
        "9223372036854775807", "-0", "0.000000000000000000000000000001e-400", "NaN", "Infinity",
        "-Infinity", "nan", "1.5.5", "0x10", "+1", ".5", "1e", "--1", "null", "true", "\"\"",
        "\"\\ud800\"", "\"\\u0000\"", "\"\\uZZZZ\"", "[]", "{}", "[null]", "{\"b64\": 1}",
        "{\"b64\": \"!!!not base64!!!\"}", "{\"b64\": \"\"}", "1" + "0".repeat(5000),
        "4294967296", "-2147483649", "65536", "1e-45", "3.4028236e38", "[1, \"a\", null, {}]"};
    return odd[r.nextInt(odd.length)];
  }

  /** A JSON array nested {@code depth} deep, as text: "[[[...1...]]]". */
  static String deepArray(int depth) {
    return "[".repeat(depth) + "1" + "]".repeat(depth);
  }

  /** A JSON object nested {@code depth} deep, as text: {"a":{"a":...}}. */
  static String deepObject(int depth) {
    return "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
  }

  /** A hostile replacement value as a tree node (text-only hostility goes through textEdit). */
  static JsonNode oddNode(SplittableRandom r, List<String> log) {
    switch (r.nextInt(9)) {
      case 0 -> {
        log.add("huge-long");
        return F.numberNode(r.nextBoolean() ? Long.MAX_VALUE : Long.MIN_VALUE);
      }
      case 1 -> {
        log.add("big-decimal");
        return F.numberNode(new java.math.BigDecimal("1e" + (r.nextInt(600) - 300)));
      }
      case 2 -> {
        log.add("string");
        return F.textNode(randomString(r, r.nextInt(40)));
      }
      case 3 -> {
        log.add("null");
        return F.nullNode();
      }
      case 4 -> {
        log.add("bool");
        return F.booleanNode(r.nextBoolean());
      }
      case 5 -> {
        int n = r.nextInt(20000);
        log.add("array[" + n + "]");
        ArrayNode a = F.arrayNode();
        for (int i = 0; i < n; i++) {
          a.add(r.nextInt(3) - 1);
        }
        return a;
      }
      case 6 -> {
        log.add("object");
        ObjectNode o = F.objectNode();
        o.put(randomString(r, 5), r.nextDouble());
        return o;
      }
      case 7 -> {
        log.add("nested-arrays");
        ArrayNode a = F.arrayNode();
        ArrayNode cur = a;
        for (int i = 0, d = 1 + r.nextInt(12); i < d; i++) {
          ArrayNode next = F.arrayNode();
          cur.add(next);
          cur.add(r.nextInt(5));
          cur = next;
        }
        return a;
      }
      default -> {
        log.add("negative");
        return F.numberNode(-1 - r.nextInt(1 << 20));
      }
    }
  }

  /**
   * Applies 1..3 tree edits to a copy of {@code root}: replace a random descendant with
   * {@link #oddNode}, remove or rename an object key, duplicate array elements, or wrap a value.
   */
  static JsonNode mutateTree(JsonNode root, SplittableRandom r, List<String> log) {
    JsonNode copy = root.deepCopy();
    for (int i = 0, n = 1 + r.nextInt(3); i < n; i++) {
      List<JsonNode> containers = new ArrayList<>();
      collectContainers(copy, containers, 0);
      if (containers.isEmpty()) {
        return copy;
      }
      JsonNode c = containers.get(r.nextInt(containers.size()));
      if (c instanceof ObjectNode o && o.size() > 0) {
        List<String> keys = new ArrayList<>();
        o.fieldNames().forEachRemaining(keys::add);
        String key = keys.get(r.nextInt(keys.size()));
        switch (r.nextInt(4)) {
          case 0 -> {
            log.add("drop ." + key);
            o.remove(key);
          }
          case 1 -> {
            String renamed = r.nextBoolean() ? key.toUpperCase() : randomString(r, 6);
            log.add("rename ." + key + "->" + renamed);
            o.set(renamed, o.remove(key));
          }
          case 2 -> {
            log.add("wrap ." + key);
            o.set(key, F.arrayNode().add(o.get(key)));
          }
          default -> {
            List<String> sub = new ArrayList<>();
            o.set(key, oddNode(r, sub));
            log.add("." + key + "=" + sub.get(0));
          }
        }
      } else if (c instanceof ArrayNode a && a.size() > 0) {
        int idx = r.nextInt(a.size());
        switch (r.nextInt(3)) {
          case 0 -> {
            log.add("drop [" + idx + "]");
            a.remove(idx);
          }
          case 1 -> {
            int times = 1 + r.nextInt(50);
            log.add("dup [" + idx + "]x" + times);
            for (int t = 0; t < times; t++) {
              a.add(a.get(idx).deepCopy());
            }
          }
          default -> {
            List<String> sub = new ArrayList<>();
            a.set(idx, oddNode(r, sub));
            log.add("[" + idx + "]=" + sub.get(0));
          }
        }
      }
    }
    return copy;
  }

  private static void collectContainers(JsonNode node, List<JsonNode> out, int depth) {
    if (!node.isContainerNode() || out.size() > 2000) {
      return;
    }
    out.add(node);
    if (node.isArray() && node.size() > 8) {
      // big numeric arrays: sample a few children rather than all
      for (int i = 0; i < 3; i++) {
        collectContainers(node.get(i), out, depth + 1);
      }
      return;
    }
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    if (node.isObject()) {
      while (fields.hasNext()) {
        collectContainers(fields.next().getValue(), out, depth + 1);
      }
    } else {
      for (JsonNode child : node) {
        collectContainers(child, out, depth + 1);
      }
    }
  }

  /**
   * A textual edit of JSON: splice a hostile literal or deep nesting at a value position, add
   * a duplicate key, trailing garbage, or a comment.
   */
  static String textEdit(String json, SplittableRandom r, List<String> log) {
    int colon = nthIndex(json, ':', r);
    switch (r.nextInt(6)) {
      case 0 -> {
        String lit = oddLiteral(r);
        log.add("splice " + abbreviate(lit));
        return colon < 0 ? lit : json.substring(0, colon + 1) + lit + skipValue(json, colon + 1);
      }
      case 1 -> {
        int depth = pickDepth(r);
        log.add("deep-array " + depth);
        return colon < 0 ? deepArray(depth) : json.substring(0, colon + 1) + deepArray(depth) + skipValue(json, colon + 1);
      }
      case 2 -> {
        int depth = pickDepth(r);
        log.add("deep-object " + depth);
        return colon < 0 ? deepObject(depth) : json.substring(0, colon + 1) + deepObject(depth) + skipValue(json, colon + 1);
      }
      case 3 -> {
        log.add("dup-key");
        return json.startsWith("{") ? "{\"instances\": [1], " + json.substring(1) : json;
      }
      case 4 -> {
        log.add("trailing-garbage");
        return json + (r.nextBoolean() ? "}" : " xyz");
      }
      default -> {
        log.add("comment");
        return json.startsWith("{") ? "{/* c */ " + json.substring(1) : "// c\n" + json;
      }
    }
  }

  private static int pickDepth(SplittableRandom r) {
    int[] depths = {10, 100, 255, 256, 1000, 5000, 20000, 100000};
    return depths[r.nextInt(depths.length)];
  }

  /** Index of a random occurrence of {@code c}, or -1. */
  private static int nthIndex(String s, char c, SplittableRandom r) {
    List<Integer> at = new ArrayList<>();
    for (int i = 0; i < s.length() && at.size() < 64; i++) {
      if (s.charAt(i) == c) {
        at.add(i);
      }
    }
    return at.isEmpty() ? -1 : at.get(r.nextInt(at.size()));
  }

  /** The text after the JSON value that starts at {@code from} (roughly: up to the next , or }). */
  private static String skipValue(String s, int from) {
    int depth = 0;
    for (int i = from; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch == '[' || ch == '{') {
        depth++;
      } else if (ch == ']' || ch == '}') {
        if (depth == 0) {
          return s.substring(i);
        }
        depth--;
      } else if (ch == ',' && depth == 0) {
        return s.substring(i);
      }
    }
    return "";
  }

  /** 1..4 byte-level edits: flip bits, truncate, insert random bytes, duplicate a slice. */
  static byte[] mutateBytes(byte[] in, SplittableRandom r, List<String> log) {
    byte[] b = in.clone();
    for (int i = 0, n = 1 + r.nextInt(4); i < n && b.length > 0; i++) {
      int at = r.nextInt(b.length);
      switch (r.nextInt(5)) {
        case 0 -> {
          log.add("flip@" + at);
          b[at] ^= (byte) (1 << r.nextInt(8));
        }
        case 1 -> {
          log.add("truncate@" + at);
          b = java.util.Arrays.copyOf(b, at);
        }
        case 2 -> {
          byte[] ins = randomBytes(r, 1 + r.nextInt(16));
          log.add("insert" + ins.length + "@" + at);
          b = concat(java.util.Arrays.copyOf(b, at), ins, java.util.Arrays.copyOfRange(b, at, b.length));
        }
        case 3 -> {
          log.add("set@" + at);
          b[at] = (byte) (r.nextBoolean() ? 0xff : r.nextInt(256));
        }
        default -> {
          int len = Math.min(b.length - at, 1 + r.nextInt(64));
          log.add("dup-slice" + len + "@" + at);
          byte[] slice = java.util.Arrays.copyOfRange(b, at, at + len);
          b = concat(java.util.Arrays.copyOf(b, at + len), slice, java.util.Arrays.copyOfRange(b, at + len, b.length));
        }
      }
      if (b.length > (1 << 20)) {
        b = java.util.Arrays.copyOf(b, 1 << 20);
      }
    }
    return b;
  }

  static byte[] randomBytes(SplittableRandom r, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) r.nextInt(256);
    }
    return b;
  }

  /** Random printable-ish text, with the odd slash, percent, quote, or non-ASCII character. */
  static String randomString(SplittableRandom r, int n) {
    String alphabet = "abcxyzXYZ019_-./%:\"\\ é€\u0000\t{}[]";
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < n; i++) {
      s.append(alphabet.charAt(r.nextInt(alphabet.length())));
    }
    return s.toString();
  }

  static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  static String abbreviate(String s) {
    return s.length() <= 24 ? s : s.substring(0, 20) + "...(" + s.length() + ")";
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
